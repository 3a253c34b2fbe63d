package dev.sysextharness.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden QEMU command lines for a Kairos flavor: the ISO install (live ISO first, cidata second, empty disk on
 * virtio = /dev/vda, poweroff ends QEMU) and the boot of the installed disk through its own bootloader (a guest
 * reboot ends QEMU too, and the harness powers the node on again). A change to
 * either is a change in how Kairos is installed and must show up here.
 */
class KairosCommandLinesTest {
    private final Flavor flavor = Workspace.locate(null).flavors().load("kairos-ubuntu-24.04");

    @Test
    void isoInstall() {
        List<String> argv = new KairosInstaller(new ImageCache(Path.of("/cache")), AcceleratorChoice.fixed(Accelerator.TCG))
                .installCommandLine(flavor, Path.of("/isos/kairos.iso"), Path.of("/cache/cidata.iso"), Path.of("/cache/disk.qcow2"),
                        2222, GuestForward.registry(5123))
                .serialLog(Path.of("/ev/install/serial.log")).qmpSocket(Path.of("/ev/install/qmp.sock"))
                .build();

        assertThat(argv).containsExactly(
                "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "2048",
                "-nodefaults", "-display", "none", "-vga", "none", "-monitor", "none",
                "-boot", "order=d",
                "-drive", "file=/cache/disk.qcow2,if=virtio,format=qcow2,cache=unsafe",
                "-drive", "file=/isos/kairos.iso,media=cdrom,readonly=on",
                "-drive", "file=/cache/cidata.iso,media=cdrom,readonly=on",
                "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22,"
                        + "guestfwd=tcp:10.0.2.100:5000-cmd:socat STDIO TCP:127.0.0.1:5123",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
                "-device", "virtio-rng-pci",
                "-chardev", "file,id=serial0,path=/ev/install/serial.log,append=on",
                "-serial", "chardev:serial0",
                "-qmp", "unix:/ev/install/qmp.sock,server=on,wait=off",
                "-no-reboot");
    }

    @Test
    void installedDiskBoot() {
        BootDisk installed = new BootDisk(Path.of("/cache/kairos-installed/k/disk.qcow2"), "qcow2", null, null, null);
        List<String> argv = new NodeLauncher(flavor, installed).accelerator(Accelerator.TCG)
                .commandLine(Path.of("/ev/node/overlay.qcow2"), 2223)
                .serialLog(Path.of("/ev/node/serial.log")).qmpSocket(Path.of("/ev/node/qmp.sock"))
                .build();

        assertThat(argv).containsExactly(
                "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "2048",
                "-nodefaults", "-display", "none", "-vga", "none", "-monitor", "none",
                "-boot", "order=c",
                "-drive", "file=/ev/node/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe",
                "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:2223-:22",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
                "-device", "virtio-rng-pci",
                "-chardev", "file,id=serial0,path=/ev/node/serial.log,append=on",
                "-serial", "chardev:serial0",
                "-qmp", "unix:/ev/node/qmp.sock,server=on,wait=off",
                "-no-reboot");
    }
}
