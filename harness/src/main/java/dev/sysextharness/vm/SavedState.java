package dev.sysextharness.vm;

import java.nio.file.Path;

/**
 * A booted, ready VM frozen to disk: the migration stream of its RAM and devices, and the qcow2 overlay it ran on,
 * which is never written again. Every restore runs on a fresh overlay backed by that frozen one.
 *
 * @param frozenSha256 the frozen overlay's digest at save time; a restore refuses an overlay that changed since
 */
public record SavedState(Path dir, String frozenSha256, String bootId) {
    public static final String VMSTATE = "vmstate.bin";
    static final String FROZEN = "frozen.qcow2";

    public Path vmstate() {
        return dir.resolve(VMSTATE);
    }

    public Path frozenOverlay() {
        return dir.resolve(FROZEN);
    }

    /** The -incoming URI that loads this state. */
    public String incomingUri() {
        return "exec:cat " + vmstate();
    }
}
