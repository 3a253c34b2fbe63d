package dev.sysextharness.install;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.image.KairosIso;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import dev.sysextharness.vm.QemuCommandLine;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Installs a Kairos flavor from its release ISO the way Kairos's own e2e suite does: the live ISO and a cidata
 * volume carrying the cloud-config ({@code install.auto}, {@code poweroff: true}, an admin user, the bundles) on
 * an empty disk; the install is over when QEMU exits. The disk is then booted once to prove it reaches
 * {@code active_boot} before it is cached, per (flavor, ISO checksum, cloud-config with bundle digests).
 */
public final class KairosInstaller {
    static final String KIND = "kairos-installed";
    /** Raised whenever what an install produces changes, so old installed disks are not reused. */
    private static final String VERSION = "1";
    /** Upstream's e2e suite uses 25000 MB (peg default) to 50000 MB (CI); qcow2 keeps it sparse. */
    static final String DISK_SIZE = "40G";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    private final ImageCache cache;
    private final AcceleratorChoice accelerator;

    public KairosInstaller(ImageCache cache, AcceleratorChoice accelerator) {
        this.cache = cache;
        this.accelerator = accelerator;
    }

    /**
     * The install VM: boot the live ISO ({@code -boot order=d}), cidata as a second CD, the target disk on virtio
     * ({@code /dev/vda}, the cloud-config's device), and {@code -no-reboot} so that an installer that reboots
     * instead of powering off also ends the process instead of booting the ISO again.
     */
    public QemuCommandLine installCommandLine(Flavor flavor, Path iso, Path cidata, Path disk, int sshPort, GuestForward forward) {
        return installCommandLine(flavor, iso, cidata, disk, sshPort, forward, accelerator.current());
    }

    private QemuCommandLine installCommandLine(Flavor flavor, Path iso, Path cidata, Path disk, int sshPort, GuestForward forward,
            Accelerator accel) {
        return new QemuCommandLine()
                .accel(accel)
                .memoryMiB(flavor.machine().memoryMiB())
                .cpus(flavor.machine().cpus())
                .bootOrder("d")
                .cdrom(iso)
                .cdrom(cidata)
                .disk(disk)
                .sshHostPort(sshPort)
                .guestForward(forward)
                .noReboot(true);
    }

    /**
     * The installed disk of this flavor with this cloud-config, installing it if it is not cached.
     *
     * @param digests     image reference as written in a bundle → manifest digest (part of the cache key)
     * @param evidenceDir where the install's serial log and the first boot's evidence go (kept on failure)
     */
    public BootDisk install(Flavor flavor, KairosIso.Located iso, CloudConfig config, Map<String, String> digests,
            GuestForward forward, Path evidenceDir, Progress progress) {
        ContentHash key = new ContentHash().add("version", VERSION).add("flavor", flavor.name())
                .add("iso-sha256", iso.sha256()).add("cloud-config", config.render()).add("disk", DISK_SIZE)
                .add("memory", Integer.toString(flavor.machine().memoryMiB()));
        new TreeMap<>(digests).forEach((ref, digest) -> key.add("digest", ref + "@" + digest));
        Path entry = cache.getOrBuild(KIND, key.hex(), (into, p) -> build(flavor, iso, config, forward, into, evidenceDir, p),
                progress);
        return new BootDisk(entry.resolve("disk.qcow2"), "qcow2", null, null, null);
    }

    private void build(Flavor flavor, KairosIso.Located iso, CloudConfig config, GuestForward forward, Path into,
            Path evidenceDir, Progress progress) throws IOException {
        Path cidata = Cidata.write(config.render(), into.resolve("cidata.iso"));
        Path disk = into.resolve("disk.qcow2");
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), DISK_SIZE), 60);
        Path installDir = evidenceDir.resolve("install");
        Files.createDirectories(installDir);
        Files.writeString(installDir.resolve("user-data"), config.render());
        int port = FreePorts.next();
        progress.step(flavor.name() + ": installing from " + iso.file() + " (serial log " + installDir.resolve("serial.log") + ")");
        // the live ISO's bootloader prints on the serial console: silence under KVM for a minute is a hung guest
        try (Vm vm = accelerator.start(flavor.name(), a -> installCommandLine(flavor, iso.file(), cidata, disk, port, forward, a),
                installDir, port, Duration.ofSeconds(60))) {
            awaitPoweroff(flavor, vm, vm.accelerator().scale(flavor.timeouts().install()), progress);
        }
        Files.delete(cidata);
        verifyFirstBoot(flavor, new BootDisk(disk, "qcow2", null, null, null), forward, evidenceDir.resolve("first-boot"), progress);
    }

    /** The install ends when QEMU exits (the cloud-config's poweroff); a deadline, with progress while it runs. */
    private static void awaitPoweroff(Flavor flavor, Vm vm, Duration deadline, Progress progress) {
        Instant end = Instant.now().plus(deadline);
        try {
            while (!vm.waitForExit(min(PROGRESS_EVERY, Duration.between(Instant.now(), end)))) {
                if (Instant.now().isAfter(end)) {
                    throw new HarnessException(flavor.name() + ": the install did not power off within " + deadline.toSeconds()
                            + " s" + vm.serialEvidence(40));
                }
                String last = vm.serialTail(1).strip();
                progress.step(String.format("%s: installing, %d s%s", flavor.name(),
                        Duration.between(vm.startedAt(), Instant.now()).toSeconds(), last.isEmpty() ? "" : "; serial: " + last));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(flavor.name() + ": interrupted while installing", e);
        }
        if (vm.exitValue() != 0) {
            throw new HarnessException(flavor.name() + ": QEMU exited " + vm.exitValue() + " during the install: " + vm.qemuOutput()
                    + vm.serialEvidence(40));
        }
        progress.step(String.format("%s: install powered off after %d s", flavor.name(),
                Duration.between(vm.startedAt(), Instant.now()).toSeconds()));
    }

    private static Duration min(Duration a, Duration b) {
        return b.isNegative() || b.isZero() ? Duration.ofMillis(1) : a.compareTo(b) < 0 ? a : b;
    }

    /** Boots the installed disk (on an overlay) and waits until Kairos reports active_boot, as upstream's e2e does. */
    private void verifyFirstBoot(Flavor flavor, BootDisk disk, GuestForward forward, Path dir, Progress progress) {
        try (Node node = new NodeLauncher(flavor, disk).accelerator(accelerator).guestForward(forward).evidenceDir(dir)
                .progress(progress).start()) {
            try {
                Awaitility.await(flavor.name() + " reports active_boot").atMost(node.accelerator().scale(flavor.timeouts().boot()))
                        .pollInterval(Duration.ofSeconds(5)).pollInSameThread()
                        .until(() -> node.sudo("kairos-agent state boot").stdout().contains("active_boot"));
            } catch (ConditionTimeoutException e) {
                Path diagnostics = collectDiagnostics(node, dir);
                throw new HarnessException(flavor.name() + ": the installed disk boots but 'kairos-agent state boot' never said"
                        + " active_boot; diagnostics in " + diagnostics);
            }
            progress.step(flavor.name() + ": installed disk reached active_boot");
        }
    }

    /** What upstream's e2e collects on failure: agent logs, journal, /oem, the kernel command line. */
    static Path collectDiagnostics(Node node, Path dir) {
        Path file = dir.resolve("diagnostics.txt");
        StringBuilder out = new StringBuilder();
        for (String command : List.of("kairos-agent state", "kairos-agent logs --output /tmp/kairos-logs.tar.gz"
                + " && tar -tzf /tmp/kairos-logs.tar.gz", "cat /proc/cmdline", "for f in /oem/*; do echo \"== $f\"; cat \"$f\"; done",
                "journalctl -b --no-pager | tail -n 300")) {
            CommandResult r = node.sudo(command);
            out.append("$ ").append(r.command()).append("  (exit ").append(r.exitCode()).append(")\n")
                    .append(r.stdout()).append(r.stderr()).append('\n');
        }
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new HarnessException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
