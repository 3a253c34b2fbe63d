package dev.sysextharness.scenario;

import dev.sysextharness.flavor.ConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One part of a split selection: {@code index} (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of {@code count}. */
public record Shard(int index, int count) {
    private static final Pattern SPEC = Pattern.compile("(\\d{1,6})/(\\d{1,6})");

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new ConfigException("--shard " + index + "/" + count + ": expected I/N with N >= 1 and 0 <= I < N (0-based), e.g. 0/3");
        }
    }

    /** "I/N" as the option takes it; anything else is a usage error naming the value. */
    public static Shard parse(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec.strip());
        if (!m.matches()) {
            throw new ConfigException("--shard '" + spec + "': expected I/N with N >= 1 and 0 <= I < N (0-based), e.g. 0/3");
        }
        return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
