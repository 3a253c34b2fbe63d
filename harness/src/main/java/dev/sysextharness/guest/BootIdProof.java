package dev.sysextharness.guest;

import java.time.Duration;

/** Proof that a reboot happened: the boot_id before and after differ (never inferred from a sleep). */
public record BootIdProof(String before, String after, Duration took) {
    public BootIdProof {
        if (before.equals(after)) {
            throw new IllegalStateException("boot_id unchanged (" + before + "): the node did not reboot");
        }
    }
}
