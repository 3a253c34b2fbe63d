package dev.sysextharness.guest;

import dev.sysextharness.flavor.SystemdVersion;
import java.time.Duration;
import java.util.List;

/**
 * A node that answered: its boot_id, the first line of {@code systemctl --version}, the state systemd reported, the units that failed (if degraded), and when
 * it first answered ({@code reachedBy}: "SSH", or "channel" for the guest channel's shell) and when it was ready,
 * counted from the start of the wait.
 */
public record Ready(String bootId, String systemdVersion, String systemState, List<String> failedUnits, Duration sshAfter, Duration readyAfter,
                    String reachedBy) {
    /** The major version from "systemd 252 (252.39-1~deb12u2)", or -1. */
    public int systemdMajor() {
        SystemdVersion v = systemd();
        return v == null ? -1 : v.major();
    }

    /** The release, point included ("systemd 257 (257.13-1~deb13u1)" is 257.13), or null. */
    public SystemdVersion systemd() {
        return SystemdVersion.parse(systemdVersion);
    }

    public boolean degraded() {
        return !failedUnits.isEmpty();
    }
}
