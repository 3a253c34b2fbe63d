package dev.sysextharness.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Timeouts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.Downloader;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.image.KairosIso;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.AcceleratorChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install flow's mechanics with stand-in ISOs, in real QEMU: an ISO that never powers off must fail at the
 * install deadline, and one whose boot code powers the machine off at once must end the install and lead to the
 * first boot of the disk. Neither is Kairos, so the first boot fails; what is tested is that every failure is one
 * line with the serial tail, that evidence is kept, and that no installed disk is left in the cache.
 */
class KairosInstallerTest {
    @TempDir
    Path tmp;

    private final List<String> progress = new CopyOnWriteArrayList<>();

    private Flavor flavor(int bootSeconds, int installSeconds) {
        return Workspace.locate(null).flavors().load("kairos-ubuntu-24.04")
                .withTimeouts(new Timeouts(bootSeconds, bootSeconds, 5, installSeconds));
    }

    private HarnessException install(Flavor flavor, Path iso) {
        ImageCache cache = new ImageCache(tmp.resolve("cache"));
        CloudConfig config = new CloudConfig("/dev/vda", flavor.login(), List.of());
        KairosIso.Located located = new KairosIso.Located(iso, Downloader.sha256Of(iso));
        try {
            new KairosInstaller(cache, AcceleratorChoice.fixed(Accelerator.TCG)).install(flavor, located, config, Map.of(), null, tmp.resolve("evidence"),
                    (Progress) progress::add);
        } catch (HarnessException e) {
            assertThat(cache.root().resolve(KairosInstaller.KIND)).as("no installed disk is cached after a failed install")
                    .isDirectoryNotContaining(p -> !p.getFileName().toString().endsWith(".lock"));
            return e;
        }
        throw new AssertionError("a stand-in ISO cannot install Kairos, yet install() returned");
    }

    @Test
    void anInstallThatNeverPowersOffFailsAtItsDeadlineWithTheSerialTail() throws IOException {
        Path dataOnly = Cidata.write("#cloud-config\n", tmp.resolve("not-bootable.iso"));

        HarnessException e = install(flavor(5, 4), dataOnly);

        Path serial = tmp.resolve("evidence/install/serial.log");
        assertThat(e).hasMessageStartingWith("kairos-ubuntu-24.04: the install did not power off within 4 s")
                .hasMessageContaining("last 40 lines of " + serial);
        assertThat(serial).exists();
        assertThat(tmp.resolve("evidence/install/user-data")).content().startsWith("#cloud-config\n")
                .contains("device: /dev/vda", "poweroff: true");
        assertThat(progress).anyMatch(l -> l.contains("installing from " + dataOnly));
    }

    @Test
    void theInstallEndsWhenQemuPowersOffAndTheDiskMustThenBoot() throws IOException {
        HarnessException e = install(flavor(5, 120), poweroffIso());

        assertThat(progress).as("progress lines").anyMatch(l -> l.matches("kairos-ubuntu-24.04: install powered off after \\d+ s"));
        assertThat(e).as("the empty disk cannot boot: the first boot fails at its deadline")
                .hasMessageContaining("not ready within 5 s")
                .hasMessageContaining(tmp.resolve("evidence/first-boot").toString());
        assertThat(tmp.resolve("evidence/first-boot/serial.log")).exists();
    }

    /**
     * A bootable ISO (El Torito, no emulation) whose boot code powers the machine off at once: on q35 with SeaBIOS,
     * writing SLP_EN|S5 (0x2000) to the ACPI PM1a control port (0x604) is QEMU's poweroff.
     */
    private Path poweroffIso() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("poweroff-iso"));
        byte[] boot = new byte[2048];
        byte[] code = {
                (byte) 0xBA, 0x04, 0x06,       // mov dx, 0x604
                (byte) 0xB8, 0x00, 0x20,       // mov ax, 0x2000
                (byte) 0xEF,                   // out dx, ax
                (byte) 0xF4,                   // hlt
                (byte) 0xEB, (byte) 0xFD};     // jmp back to hlt
        System.arraycopy(code, 0, boot, 0, code.length);
        Files.write(dir.resolve("boot.bin"), boot);
        Path iso = tmp.resolve("poweroff.iso");
        OwnedProcesses.run(List.of("xorriso", "-as", "mkisofs", "-quiet", "-o", iso.toString(), "-b", "boot.bin",
                "-no-emul-boot", "-boot-load-size", "4", dir.toString()), 60);
        return iso;
    }
}
