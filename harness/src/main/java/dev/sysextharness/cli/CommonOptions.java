package dev.sysextharness.cli;

import dev.sysextharness.scenario.RunConfiguration;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every VM-starting command takes; {@link #configuration} turns them, checked, into the run's configuration. */
public final class CommonOptions {
    @Option(names = "--accel", defaultValue = "auto", paramLabel = "auto|kvm|tcg",
            description = "Accelerator: auto uses KVM only where a real kernel boots under it (probed once per host and"
                    + " remembered; a node that still does not start under KVM switches the run to TCG) (default: ${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where built images are cached (default: $SYSEXT_HARNESS_CACHE or ~/.cache/sysext-harness).")
    Path cacheDir;

    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;

    /** The checked configuration every stage of the command receives; a bad value is a usage error here. */
    RunConfiguration configuration(List<String> flavors, RegistryOption registry) {
        return RunConfiguration.of(accel, cacheDir, flavors, registry == null ? null : registry.registry,
                registry == null ? null : registry.registryPort);
    }

    /** For commands without a registry. */
    RunConfiguration configuration(List<String> flavors) {
        return configuration(flavors, null);
    }
}
