package dev.sysextharness.guest;

import java.time.Duration;
import java.util.List;

/**
 * A node that answered: its boot_id, the first line of {@code systemctl --version}, the state systemd reported, the units that failed (if degraded), and when
 * SSH first answered and when the node was ready, counted from the start of the wait.
 */
public record Ready(String bootId, String systemdVersion, String systemState, List<String> failedUnits, Duration sshAfter, Duration readyAfter) {
    /** The major version from "systemd 252 (252.39-1~deb12u2)", or -1. */
    public int systemdMajor() {
        String[] w = systemdVersion.split("\\s+");
        return w.length > 1 && w[1].matches("\\d+") ? Integer.parseInt(w[1]) : -1;
    }

    public boolean degraded() {
        return !failedUnits.isEmpty();
    }
}
