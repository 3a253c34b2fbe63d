package dev.sysextharness.guest;

import java.util.Arrays;
import java.util.List;

/**
 * Where a scenario is judged: on a booted node of the flavor ({@link #VM}), or inside a container of the flavor's
 * own userspace, with systemd-sysext merging in the container's mount namespace ({@link #CONTAINER}).
 */
public enum Lane {
    VM("vm"),
    CONTAINER("container");

    private final String label;

    Lane(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** "vm", "container" or "all" (comma-separated lists too). */
    public static List<Lane> parseAll(String text) {
        if (text.strip().equals("all")) {
            return List.of(values());
        }
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Lane::parse).distinct().toList();
    }

    public static Lane parse(String label) {
        for (Lane l : values()) {
            if (l.label.equals(label)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown lane '" + label + "': expected vm, container or all");
    }
}
