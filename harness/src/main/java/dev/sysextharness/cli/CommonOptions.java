package dev.sysextharness.cli;

import dev.sysextharness.host.Workspace;
import dev.sysextharness.vm.AcceleratorProbe;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every VM-starting command takes. */
public final class CommonOptions {
    @Option(names = "--accel", defaultValue = "auto", paramLabel = "auto|kvm|tcg",
            description = "Accelerator: auto probes KVM with a short deadline and falls back to TCG (default: ${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where built images are cached (default: $SYSEXT_HARNESS_CACHE or ~/.cache/sysext-harness).")
    Path cacheDir;

    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;

    Workspace workspace() {
        return Workspace.locate(cacheDir);
    }

    AcceleratorProbe.Choice accelerator() {
        return new AcceleratorProbe("qemu-system-x86_64").choose(accel);
    }
}
