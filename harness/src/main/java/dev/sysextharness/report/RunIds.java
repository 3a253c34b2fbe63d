package dev.sysextharness.report;

import dev.sysextharness.flavor.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of runs: the report directory's name, unique across machines. The time alone is not (shards of one plan start
 * in the same second on different machines), so a fresh id carries a short random suffix.
 */
public final class RunIds {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    /** {@code yyyyMMdd-HHmmss-xxxx}: the time, then 4 random hex digits. */
    public static String fresh() {
        byte[] suffix = new byte[2];
        RANDOM.nextBytes(suffix);
        return LocalDateTime.now().format(TIME) + "-" + HexFormat.of().formatHex(suffix);
    }

    /** A run id a user gave ({@code option} names where): one path segment of safe characters, else a usage error. */
    public static String checked(String id, String option) {
        if (id == null || !ALLOWED.matcher(id).matches() || id.contains("..")) {
            throw new ConfigException(option + " '" + id + "': expected letters, digits, '.', '_' or '-' (no '..', no '/')");
        }
        return id;
    }

    /** The report directory of {@code id} under {@code parent}; one that exists already is refused (a run never overwrites another). */
    public static Path newReportDir(Path parent, String id, String option) {
        Path dir = parent.resolve(checked(id, option)).toAbsolutePath();
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigException(option + " '" + id + "': " + dir + " exists already; give another id");
        }
        return dir;
    }
}
