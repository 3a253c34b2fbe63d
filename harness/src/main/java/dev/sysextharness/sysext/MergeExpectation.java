package dev.sysextharness.sysext;

import java.util.Collection;
import java.util.List;

/**
 * Which of a flavor's hierarchies an extension is merged on, computed before anything runs: systemd-sysext overlays
 * a hierarchy only when some extension ships content below it (an empty one is not overmounted), and only the
 * hierarchies in SYSTEMD_SYSEXT_HIERARCHIES.
 */
public final class MergeExpectation {
    private MergeExpectation() {
    }

    /** Hierarchies (in the flavor's order) under which {@code files} (relative paths like usr/bin/hello) put content. */
    public static List<String> hierarchiesFor(List<String> hierarchies, Collection<String> files) {
        return hierarchies.stream()
                .filter(h -> files.stream().anyMatch(f -> ("/" + f).startsWith(h + "/")))
                .toList();
    }

    /** Whether {@code file} (relative, as the extension ships it) lies below one of the merged {@code hierarchies}. */
    public static boolean isBelowAny(List<String> hierarchies, String file) {
        return hierarchies.stream().anyMatch(h -> ("/" + file).startsWith(h + "/"));
    }

    /** Files the extension ships under {@code hierarchy} that the flavor does not merge (never visible there). */
    public static List<String> unmergedFiles(List<String> hierarchies, Collection<String> files) {
        return files.stream()
                .filter(f -> hierarchies.stream().noneMatch(h -> ("/" + f).startsWith(h + "/")))
                .toList();
    }
}
