package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import dev.sysextharness.vm.Overlay;
import dev.sysextharness.vm.QemuCommandLine;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Boots a node of a flavor on its own qcow2 overlay of a base disk and waits until it is ready:
 * {@code try (Node node = new NodeLauncher(flavor, disk).evidenceDir(dir).start()) { ... }}.
 */
public final class NodeLauncher {
    private final Flavor flavor;
    private final BootDisk disk;
    private Accelerator accelerator = Accelerator.TCG;
    private Path evidenceDir;
    private GuestForward guestForward;
    private Progress progress = Progress.silent();

    public NodeLauncher(Flavor flavor, BootDisk disk) {
        this.flavor = flavor;
        this.disk = disk;
    }

    public NodeLauncher accelerator(Accelerator accelerator) {
        this.accelerator = accelerator;
        return this;
    }

    /** Where the overlay, serial log, transcript and QEMU command line of this node go. */
    public NodeLauncher evidenceDir(Path dir) {
        this.evidenceDir = dir;
        return this;
    }

    public NodeLauncher guestForward(GuestForward forward) {
        this.guestForward = forward;
        return this;
    }

    public NodeLauncher progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    public BootDisk disk() {
        return disk;
    }

    /** The QEMU command line this launcher will use, for a given overlay and SSH port. */
    public QemuCommandLine commandLine(Path overlay, int sshPort) {
        QemuCommandLine cmd = new QemuCommandLine()
                .accel(accelerator)
                .memoryMiB(flavor.machine().memoryMiB())
                .cpus(flavor.machine().cpus())
                .disk(overlay)
                .sshHostPort(sshPort)
                .guestForward(guestForward);
        if (disk.directKernel()) {
            cmd.directKernel(disk.kernel(), disk.initrd(), disk.append());
        }
        return cmd;
    }

    public Node start() {
        if (evidenceDir == null) {
            throw new IllegalStateException("evidenceDir not set");
        }
        try {
            Files.createDirectories(evidenceDir);
        } catch (IOException e) {
            throw new HarnessException("cannot create evidence directory " + evidenceDir + ": " + e.getMessage(), e);
        }
        Path overlay = Overlay.create(disk.disk(), disk.format(), evidenceDir.resolve("overlay.qcow2").toAbsolutePath());
        int port = FreePorts.next();
        Vm vm = Vm.start(commandLine(overlay, port), evidenceDir, port);
        Transcript transcript = new Transcript(evidenceDir.resolve("transcript.txt"));
        transcript.note("# harness: QEMU pid " + vm.pid() + " (" + accelerator.qemuName() + "), SSH on 127.0.0.1:" + port);
        progress.step("booting " + flavor.name() + " (" + accelerator.qemuName() + ", pid " + vm.pid() + ", serial log "
                + vm.serialLog() + ")");
        try {
            Duration deadline = Duration.ofMillis((long) (flavor.timeouts().boot().toMillis() * accelerator.timeoutFactor()));
            Readiness.Result r = Readiness.await(vm, flavor.login(), deadline, null, transcript);
            transcript.note("# harness: ready, boot_id " + r.ready().bootId() + ", state " + r.ready().systemState());
            progress.step(String.format("%s ready: SSH after %.1f s, ready after %.1f s (%s)", flavor.name(),
                    r.ready().sshAfter().toMillis() / 1000.0, r.ready().readyAfter().toMillis() / 1000.0, r.ready().systemState()
                            + (r.ready().degraded() ? ", failed units: " + r.ready().failedUnits() : "")));
            return new Node(flavor, vm, accelerator, transcript, r.session(), r.ready());
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }
}
