package dev.sysextharness.sysext;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code systemd-sysext status --json=short}. Its {@code extensions} field is the string "none" when nothing is
 * merged on a hierarchy and an array of names otherwise.
 */
public record SysextStatus(List<HierarchyStatus> hierarchies, String raw) {

    public static SysextStatus parse(String json) {
        try {
            JsonNode root = Json.mapper().readTree(json);
            List<HierarchyStatus> rows = new ArrayList<>();
            for (JsonNode row : root) {
                JsonNode ext = row.path("extensions");
                List<String> names = new ArrayList<>();
                if (ext.isArray()) {
                    ext.forEach(n -> names.add(n.asText()));
                } else if (!ext.isTextual() || !ext.asText().equals("none")) {
                    throw new IllegalArgumentException("unexpected 'extensions' value " + ext + " in: " + json);
                }
                rows.add(new HierarchyStatus(row.path("hierarchy").asText(), List.copyOf(names), row.path("since").asLong(0)));
            }
            return new SysextStatus(List.copyOf(rows), json.strip());
        } catch (IOException e) {
            throw new IllegalArgumentException("systemd-sysext status printed something that is not JSON: " + json, e);
        }
    }

    /** What is merged where, in one line: "hello on /usr/bin /usr/share; kubo on /usr/bin", or "nothing merged". */
    public String summary() {
        java.util.Map<String, List<String>> where = new java.util.LinkedHashMap<>();
        for (HierarchyStatus h : hierarchies) {
            for (String e : h.extensions()) {
                where.computeIfAbsent(e, k -> new ArrayList<>()).add(h.hierarchy());
            }
        }
        if (where.isEmpty()) {
            return "nothing merged"; // not how many hierarchies: /usr/local/* exist in a container, not on a node
        }
        List<String> parts = new ArrayList<>();
        where.forEach((e, hs) -> parts.add(e + " on " + String.join(" ", hs)));
        return String.join("; ", parts);
    }

    /** Hierarchies on which {@code extension} is merged. */
    public List<String> hierarchiesWith(String extension) {
        return hierarchies.stream().filter(h -> h.extensions().contains(extension)).map(HierarchyStatus::hierarchy).toList();
    }

    public boolean anyMerged() {
        return hierarchies.stream().anyMatch(HierarchyStatus::merged);
    }

    /** When the hierarchy was merged (µs), 0 if it is not. */
    public long since(String hierarchy) {
        return hierarchies.stream().filter(h -> h.hierarchy().equals(hierarchy)).findFirst().map(HierarchyStatus::since).orElse(0L);
    }

    public List<String> extensionsOn(String hierarchy) {
        return hierarchies.stream().filter(h -> h.hierarchy().equals(hierarchy)).findFirst()
                .map(HierarchyStatus::extensions).orElse(List.of());
    }
}
