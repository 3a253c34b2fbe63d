package dev.sysextharness.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.ConfigFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * One mount as {@code findmnt} reports it. {@code fsRoot} is the directory of the source file system that is
 * mounted (a bind mount of /usr/local/.state/opt.bind from COS_PERSISTENT has fsRoot /.state/opt.bind).
 */
public record Mount(String target, String source, String fsType, List<String> options, String label, String fsRoot) {

    public static final String FINDMNT = "findmnt -J -o TARGET,SOURCE,FSTYPE,OPTIONS,LABEL,FSROOT --mountpoint ";

    public boolean readOnly() {
        return options.contains("ro");
    }

    /** The value of an option such as {@code upperdir=...}, or null. */
    public String option(String name) {
        return options.stream().filter(o -> o.startsWith(name + "=")).map(o -> o.substring(name.length() + 1))
                .findFirst().orElse(null);
    }

    /** Parses findmnt -J output; null when nothing is mounted there. */
    static Mount parse(String json) {
        if (json.isBlank()) {
            return null;
        }
        try {
            JsonNode fs = ConfigFiles.json().readTree(json).path("filesystems");
            if (!fs.isArray() || fs.isEmpty()) {
                return null;
            }
            JsonNode m = fs.get(fs.size() - 1); // the top mount at that point
            return new Mount(m.path("target").asText(), m.path("source").asText(), m.path("fstype").asText(),
                    Arrays.asList(m.path("options").asText().split(",")), m.path("label").asText(null),
                    m.path("fsroot").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("findmnt printed something that is not JSON: " + json, e);
        }
    }
}
