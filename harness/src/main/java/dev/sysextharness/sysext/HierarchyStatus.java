package dev.sysextharness.sysext;

import java.util.List;

/**
 * One row of {@code systemd-sysext status --json=short}: a hierarchy, the extensions merged on it (empty: "none"),
 * and since when (µs since the epoch; 0 when not merged): a re-merge changes it.
 */
public record HierarchyStatus(String hierarchy, List<String> extensions, long since) {
    public boolean merged() {
        return !extensions.isEmpty();
    }
}
