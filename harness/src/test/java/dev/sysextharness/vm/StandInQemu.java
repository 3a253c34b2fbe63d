package dev.sysextharness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A stand-in for qemu-system-x86_64 that behaves like one of the hosts the harness must survive, but only when asked
 * for KVM ({@code -accel kvm}); everything else execs the real QEMU with the same arguments (and the same PID).
 */
public enum StandInQemu {
    /** QEMU aborts at start, as on hosts whose KVM cannot set an MSR for {@code -cpu host}. */
    KVM_ABORTS("echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69' >&2; exit 134"),
    /**
     * QEMU runs but the guest never prints a byte, as on hosts whose KVM hangs guests: a real QEMU (under TCG) whose
     * CPUs never start ({@code -S}), so that it serves its sockets and QMP as a QEMU with a hung guest does.
     */
    KVM_HANGS("exec qemu-system-x86_64 \"${args[@]}\" -S"),
    /** KVM "works": the guest runs under TCG with the CPU model TCG nodes use; the harness cannot tell. */
    KVM_WORKS("exec qemu-system-x86_64 \"${args[@]}\"");

    private final String underKvm;

    StandInQemu(String underKvm) {
        this.underKvm = underKvm;
    }

    /** Writes the wrapper script into {@code dir} and returns its path. */
    public Path writeTo(Path dir) throws IOException {
        String script = "#!/bin/bash\n"
                + "# stand-in QEMU for the harness's tests: " + name() + " under -accel kvm\n"
                + "args=(); kvm=0; prev=\n"
                + "for a in \"$@\"; do\n"
                + "  if [ \"$prev\" = -accel ] && [ \"$a\" = kvm ]; then kvm=1; a=tcg; fi\n"
                + "  if [ \"$prev\" = -cpu ] && [ \"$a\" = host ]; then a=max; fi\n"
                + "  args+=(\"$a\"); prev=$a\n"
                + "done\n"
                + "if [ $kvm = 1 ]; then " + underKvm + "; fi\n"
                + "exec qemu-system-x86_64 \"$@\"\n";
        Path file = dir.resolve("qemu-" + name().toLowerCase().replace('_', '-'));
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
