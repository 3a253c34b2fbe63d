package dev.sysextharness.vm;

import java.nio.file.Path;

/**
 * A booted, ready VM frozen to disk: its RAM as a file, the migration stream of its devices (the RAM left out), and
 * the qcow2 overlay it ran on. None is written again: every restore maps the RAM privately (copy-on-write) and runs
 * on a fresh overlay backed by the frozen one.
 *
 * @param frozenSha256 the frozen overlay's digest at save time; a restore refuses an overlay that changed since
 * @param systemd      the saved node's {@code systemctl --version} first line, read as it became ready (null in a state
 *                     saved before it was recorded): a restore of the same boot_id runs the same systemd
 * @param systemState  what {@code systemctl is-system-running} said of the saved node ("running", "degraded"), and
 * @param failedUnits  the units that had failed then; null in a state saved before they were recorded
 * @param clockStepper the pid of the process left waiting to step a restored guest's clock (guest.ClockStepper),
 *                     or null where none was left
 */
public record SavedState(Path dir, String frozenSha256, String bootId, String systemd, String systemState,
                         java.util.List<String> failedUnits, Integer clockStepper) {
    public static final String VMSTATE = "vmstate.bin";
    /** The guest RAM as it was at the save (sparse: pages the guest never touched are holes). */
    public static final String RAM = "ram.bin";
    static final String FROZEN = "frozen.qcow2";
    /** A UEFI machine's variable store, beside its overlay while it runs and in the state once saved. */
    public static final String UEFI_VARS = "uefi-vars.fd";

    public Path vmstate() {
        return dir.resolve(VMSTATE);
    }

    public Path ram() {
        return dir.resolve(RAM);
    }

    public Path frozenOverlay() {
        return dir.resolve(FROZEN);
    }

    /** The firmware's variable store as it was when the state was saved, or null for a machine without UEFI firmware. */
    public Path uefiVars() {
        Path p = dir.resolve(UEFI_VARS);
        return java.nio.file.Files.isRegularFile(p) ? p : null;
    }

    /** The migration URI that loads this state's device stream (with migrate-incoming, after x-ignore-shared is on). */
    public String incomingUri() {
        return "exec:cat " + vmstate();
    }
}
