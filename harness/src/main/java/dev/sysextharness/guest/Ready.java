package dev.sysextharness.guest;

import java.time.Duration;
import java.util.List;

/**
 * A node that answered: its boot_id, the state systemd reported, the units that failed (if degraded), and when
 * SSH first answered and when the node was ready, counted from the start of the wait.
 */
public record Ready(String bootId, String systemState, List<String> failedUnits, Duration sshAfter, Duration readyAfter) {
    public boolean degraded() {
        return !failedUnits.isEmpty();
    }
}
