package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.vm.BootDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest kernel that panics is a dead node at once, not after the readiness deadline: the reference kernels boot
 * without {@code panic=}, so QEMU keeps running and only the serial console says so.
 */
@Tag("vm")
class KernelPanicTest {
    @TempDir
    Path dir;

    /**
     * A real panic of the flavor's own kernel: {@code rdinit=} naming no file makes it skip the initramfs and mount
     * {@code root=LABEL=…} itself, which a kernel without an initramfs cannot resolve ("VFS: Unable to mount root fs").
     */
    @Test
    void aKernelPanicFailsTheBootAtOnceNamingThePanic() {
        DefaultFlavorImage image = DefaultFlavorImage.build();
        BootDisk d = image.disk();
        BootDisk panicking = new BootDisk(d.disk(), d.format(), d.kernel(), d.initrd(), d.append() + " rdinit=/sxh-no-such-init");
        NodeLauncher launcher = new NodeLauncher(image.flavor(), panicking).accelerator(image.accel()).evidenceDir(dir.resolve("panic"));

        Instant start = Instant.now();
        HarnessException e = catchThrowableOfType(HarnessException.class, launcher::start);
        Duration took = Duration.between(start, Instant.now());

        assertThat(e).as("a boot whose kernel panicked").isNotNull();
        assertThat(e.getMessage().lines().findFirst().orElse(""))
                .as("the one line names the panic as the cause")
                .startsWith(image.flavor().name() + ": not ready")
                .contains("the guest kernel panicked: Kernel panic - not syncing: VFS: Unable to mount root fs");
        Duration deadline = image.accel().current().scale(image.flavor().timeouts().boot());
        assertThat(took).as("failed well before the boot deadline of %d s", deadline.toSeconds()).isLessThan(deadline.dividedBy(3));
    }
}
