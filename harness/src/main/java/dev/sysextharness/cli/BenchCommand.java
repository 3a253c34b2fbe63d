package dev.sysextharness.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.ConfigFiles;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.FlavorImages;
import dev.sysextharness.vm.AcceleratorProbe;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.Overlay;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures, in one run on this machine: a bare QEMU boot of the overlay to the serial "login:" prompt, and the
 * harness's cold boot to ready, on the same disk with the same QEMU command line, alternating rounds.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a bare QEMU boot to the serial login: prompt against the harness's cold boot to ready "
                + "(same disk, same command line, alternating rounds) and print the figures and their ratio.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, paramLabel = "NAME", description = "Flavor (default: ${DEFAULT-VALUE}).")
    String flavorName;

    @Option(names = "--rounds", defaultValue = "2", description = "Boots of each kind (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON, in seconds.")
    Path json;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds: expected at least 1, got " + rounds);
        }
        Workspace ws = common.workspace();
        Flavor flavor = ws.flavors().load(flavorName);
        HostTools.requireAll();
        Progress progress = Progress.to(System.out);
        Instant buildStart = Instant.now();
        BootDisk disk = new FlavorImages(ws).bootDisk(flavor, progress);
        double buildS = seconds(Duration.between(buildStart, Instant.now()));
        AcceleratorProbe.Choice accel = common.accelerator();
        Path dir = ws.reportsDir().resolve("bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Duration deadline = Duration.ofMillis((long) (flavor.timeouts().boot().toMillis() * accel.accelerator().timeoutFactor()));

        List<Double> bare = new ArrayList<>();
        List<Double> harness = new ArrayList<>();
        for (int i = 1; i <= rounds; i++) {
            NodeLauncher launcher = new NodeLauncher(flavor, disk).accelerator(accel.accelerator());
            bare.add(bareBootToLogin(launcher, dir.resolve("bare-" + i), deadline));
            progress.step(String.format("round %d: bare QEMU to login: %.2f s", i, bare.get(bare.size() - 1)));
            try (Node node = launcher.evidenceDir(dir.resolve("harness-" + i)).start()) {
                harness.add(seconds(Duration.between(node.vm().startedAt(), Instant.now())));
            }
            progress.step(String.format("round %d: harness cold boot to ready: %.2f s", i, harness.get(harness.size() - 1)));
        }
        double bareMedian = median(bare);
        double coldMedian = median(harness);
        System.out.printf("%nflavor %s, accelerator %s, %d round(s)%n", flavor.name(), accel.accelerator().qemuName(), rounds);
        System.out.printf("image build (cached if ~0)          %8.2f s%n", buildS);
        System.out.printf("bare QEMU boot to login: (median)   %8.2f s   %s%n", bareMedian, bare);
        System.out.printf("harness cold boot to ready (median) %8.2f s   %s%n", coldMedian, harness);
        System.out.printf("ratio cold/bare                     %8.3f   (goal <= 1.10)%n", coldMedian / bareMedian);
        if (json != null) {
            ObjectNode o = ConfigFiles.json().createObjectNode()
                    .put("flavor", flavor.name()).put("accelerator", accel.accelerator().qemuName()).put("rounds", rounds)
                    .put("build_s", buildS).put("bare_boot_s", bareMedian).put("cold_ready_s", coldMedian)
                    .put("cold_over_bare", coldMedian / bareMedian);
            Files.writeString(json, ConfigFiles.json().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        }
        return ExitCodes.OK;
    }

    /** QEMU with the harness's own command line, clocked from process start to "login:" on the serial console. */
    static double bareBootToLogin(NodeLauncher launcher, Path dir, Duration deadline) throws IOException {
        Files.createDirectories(dir);
        BootDisk disk = launcher.disk();
        Path overlay = Overlay.create(disk.disk(), disk.format(), dir.resolve("overlay.qcow2").toAbsolutePath());
        int port = FreePorts.next();
        try (Vm vm = Vm.start(launcher.commandLine(overlay, port), dir, port)) {
            Awaitility.await("login: on " + vm.serialLog()).atMost(deadline).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).pollInSameThread()
                    .until(() -> Files.exists(vm.serialLog()) && Files.readString(vm.serialLog()).contains("login:"));
            return seconds(Duration.between(vm.startedAt(), Instant.now()));
        } catch (ConditionTimeoutException e) {
            throw new HarnessException("bare boot never printed login: within " + deadline.toSeconds() + " s; see " + dir);
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
