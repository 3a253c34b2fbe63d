package dev.sysextharness.vm;

import dev.sysextharness.host.OwnedProcesses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which QEMU the harness runs: {@code qemu-system-x86_64} on the PATH, or another binary named by
 * {@code -Dsysext.qemu} or {@code $SYSEXT_HARNESS_QEMU} (a wrapper, a build of your own). Every QEMU process of a
 * run, the accelerator probe included, uses the same one.
 */
public final class Qemu {
    public static final String DEFAULT = "qemu-system-x86_64";
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();

    private Qemu() {
    }

    public static String binary() {
        String prop = System.getProperty("sysext.qemu");
        if (prop != null && !prop.isBlank()) {
            return prop;
        }
        String env = System.getenv("SYSEXT_HARNESS_QEMU");
        return env != null && !env.isBlank() ? env : DEFAULT;
    }

    /** The first line of {@code binary --version}, read once per binary. */
    public static String version(String binary) {
        return VERSIONS.computeIfAbsent(binary,
                b -> OwnedProcesses.run(List.of(b, "--version"), 30).lines().findFirst().orElse("?").strip());
    }
}
