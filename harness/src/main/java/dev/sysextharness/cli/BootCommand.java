package dev.sysextharness.cli;

import dev.sysextharness.host.Durations;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.KeepRunning;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.KeptDisk;
import dev.sysextharness.vm.SavedStates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Builds what is missing, boots one node, waits for readiness, prints timings and how to log in. */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Build the flavor's image if needed, boot one node on a fresh overlay, wait until it is ready,",
                "and print the timings and the SSH command. With --keep the node runs until Enter or Ctrl-C.",
                "With --from, boot the disk a failed cell kept (its evidence directory) on a fresh overlay, and keep it."})
final class BootCommand implements Callable<Integer> {
    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, paramLabel = "NAME",
            description = "Flavor from vm-configs/ (default: ${DEFAULT-VALUE}).")
    String flavorName;

    @Option(names = "--keep", description = "Leave the node running until Enter or Ctrl-C.")
    boolean keep;

    @Option(names = "--from", paramLabel = "CELL_EVIDENCE_DIR",
            description = "Cold-boot the disk a failed cell kept (the cell's evidence directory, with kept-disk.json) on a fresh"
                    + " overlay of it, and keep the node as --keep does; the flavor is the one recorded there.")
    Path from;

    @Option(names = "--evidence-dir", paramLabel = "DIR",
            description = "Where the overlay, serial log and transcript go (default: reports/boot-<time>/<flavor>).")
    Path evidenceDir;

    @Option(names = "--cold", description = "Cold-boot even when a saved ready state exists (and do not save one).")
    boolean cold;

    @Mixin
    CommonOptions common;

    @Mixin
    IsoOptions isoOptions;

    RunConfiguration configuration() {
        return common.configuration(List.of(flavorName));
    }

    @Override
    public Integer call() throws Exception {
        if (from != null) {
            return bootKeptDisk();
        }
        RunConfiguration config = configuration();
        Workspace ws = config.checkedWorkspace();
        Flavor declared = ws.flavors().load(flavorName);
        isoOptions.check(List.of(declared));
        HostTools.require(List.of("qemu-system-x86_64", "qemu-img", "mmdebstrap", "mkfs.ext4", "sfdisk", "setpriv"));
        Progress progress = Progress.to(System.out);
        Flavor flavor = isoOptions.prepare(List.of(declared), new FlavorImages(ws), progress).get(0);

        AcceleratorChoice accel = config.accelerator(ws, progress);
        Path dir = evidenceDir != null ? evidenceDir : ws.reportsDir()
                .resolve("boot-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).resolve(flavor.name());

        Instant buildStart = Instant.now();
        BootDisk disk = new FlavorImages(ws).bootDisk(flavor, accel, dir.resolveSibling(flavor.name() + "-install"),
                progress);
        Duration build = Duration.between(buildStart, Instant.now());
        try (Node node = new NodeLauncher(flavor, disk).accelerator(accel).evidenceDir(dir)
                .savedStates(cold ? null : new SavedStates(ws.cache())).progress(progress).start()) {
            System.out.printf("%nflavor      %s (systemd %d expected)%n", flavor.name(), flavor.systemdVersion());
            System.out.printf("build       %.1f s%s%n", Durations.seconds(build), build.toMillis() < 1000 ? " (cached)" : "");
            System.out.printf("started by  %s%n", node.startedBy());
            System.out.printf("QEMU → %s  %.1f s%n", node.ready().reachedBy(), Durations.seconds(node.ready().sshAfter()));
            System.out.printf("QEMU → ready %.1f s (%s%s)%n", Durations.seconds(node.ready().readyAfter()), node.ready().systemState(),
                    node.ready().degraded() ? ", failed: " + String.join(" ", node.ready().failedUnits()) : "");
            System.out.printf("boot_id     %s%n", node.ready().bootId());
            System.out.printf("evidence    %s%n", node.evidenceDir());
            System.out.printf("ssh         %s%n", node.sshCommand());
            if (keep) {
                keepRunning(node);
            }
        }
        return ExitCodes.OK;
    }


    /** boot --from: the kept overlay as the base of a fresh one, cold-booted (its RAM was not kept), then kept running. */
    private int bootKeptDisk() throws Exception {
        KeptDisk kept;
        try {
            kept = KeptDisk.read(from.toAbsolutePath());
        } catch (ConfigException e) { // nothing kept there, or a file of its chain gone: one line, exit 2
            throw new ConfigException("--from " + e.getMessage(), e);
        }
        RunConfiguration config = common.configuration(List.of(kept.flavor()));
        Workspace ws = config.checkedWorkspace();
        Flavor flavor = ws.flavors().load(kept.flavor());
        HostTools.require(List.of("qemu-system-x86_64", "qemu-img", "setpriv"));
        Progress progress = Progress.to(System.out);
        AcceleratorChoice accel = config.accelerator(ws, progress);
        Path dir = evidenceDir != null ? evidenceDir : ws.reportsDir()
                .resolve("boot-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).resolve(flavor.name() + "-from");
        progress.step("booting the disk kept in " + from + " (" + kept.overlay() + ", backed by " + kept.backingChain() + ")");
        try (Node node = new NodeLauncher(flavor, kept.bootDisk()).accelerator(accel).evidenceDir(dir).progress(progress).start()) {
            System.out.printf("%nflavor      %s, the disk kept in %s%n", flavor.name(), from);
            System.out.printf("QEMU → %s  %.1f s%n", node.ready().reachedBy(), Durations.seconds(node.ready().sshAfter()));
            System.out.printf("QEMU → ready %.1f s (%s)%n", Durations.seconds(node.ready().readyAfter()), node.ready().systemState());
            System.out.printf("evidence    %s%n", node.evidenceDir());
            System.out.printf("ssh         %s%n", node.sshCommand());
            keepRunning(node);
        }
        return ExitCodes.OK;
    }

    private static void keepRunning(Node node) throws InterruptedException {
        System.out.println("\nThe node keeps running (a reboot inside it powers it on again); press Enter or Ctrl-C to stop it.");
        KeepRunning.until(node, KeepRunning.enterOn(System.in), System.out); // prints how it ended
    }
}
