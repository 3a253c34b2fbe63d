package dev.sysextharness.guest;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One mount as {@code findmnt} reports it. {@code fsRoot} is the directory of the source file system that is
 * mounted (a bind mount of /usr/local/.state/opt.bind from COS_PERSISTENT has fsRoot /.state/opt.bind).
 */
public record Mount(String target, String source, String fsType, List<String> options, String label, String fsRoot) {

    /** All mounts as a flat list; the harness picks its targets from it (one call for any number of them). */
    public static final String FINDMNT = "findmnt -J -l -o TARGET,SOURCE,FSTYPE,OPTIONS,LABEL,FSROOT";

    public boolean readOnly() {
        return options.contains("ro");
    }

    /** The value of an option such as {@code upperdir=...}, or null. */
    public String option(String name) {
        return options.stream().filter(o -> o.startsWith(name + "=")).map(o -> o.substring(name.length() + 1))
                .findFirst().orElse(null);
    }

    /** Every mount findmnt -J -l printed, the top (last) one per target winning. */
    static Map<String, Mount> parseAll(String json) {
        Map<String, Mount> byTarget = new LinkedHashMap<>();
        if (json.isBlank()) {
            return byTarget;
        }
        try {
            for (JsonNode m : Json.mapper().readTree(json).path("filesystems")) {
                Mount mount = new Mount(m.path("target").asText(), m.path("source").asText(), m.path("fstype").asText(),
                        Arrays.asList(m.path("options").asText().split(",")), m.path("label").asText(null),
                        m.path("fsroot").asText());
                byTarget.put(mount.target(), mount);
            }
            return byTarget;
        } catch (IOException e) {
            throw new UncheckedIOException("findmnt printed something that is not JSON: " + json, e);
        }
    }
}
