package dev.sysextharness.sysext;

import java.util.List;

/** One row of {@code systemd-sysext status --json=short}: a hierarchy and the extensions merged on it (empty: "none"). */
public record HierarchyStatus(String hierarchy, List<String> extensions) {
    public boolean merged() {
        return !extensions.isEmpty();
    }
}
