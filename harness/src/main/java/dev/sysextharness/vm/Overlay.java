package dev.sysextharness.vm;

import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Path;
import java.util.List;

/** A qcow2 copy-on-write overlay: every VM writes only to its own, the base disk stays pristine. */
public final class Overlay {
    private Overlay() {
    }

    /** Creates {@code overlay} backed by {@code base} ({@code raw} or {@code qcow2}). */
    public static Path create(Path base, String baseFormat, Path overlay) {
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "qcow2",
                "-b", base.toAbsolutePath().toString(), "-F", baseFormat, overlay.toString()), 60);
        return overlay;
    }
}
