package dev.sysextharness.cli;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.host.Durations;
import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.guest.Spares;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.Overlay;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.ScenarioRun;
import dev.sysextharness.vm.SavedStates;
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
 * Measures, in one run on this machine: a bare QEMU boot of the overlay to the serial "login:" prompt against the
 * harness's cold boot to ready (same disk, same QEMU command line; each harness boot between two bare ones); restore
 * to ready; and the core scenario set with restore and cold boots, with one and two jobs; and the median marginal cost of a
 * non-reboot scenario, over the whole suite (restored nodes, one job) and over the core set alone; the whole suite
 * again as {@code run} runs it without {@code --jobs}. A cell's cost is its whole wall time in the run: restore,
 * readiness, its commands, evidence capture, shutdown.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure boots (bare QEMU to login:, harness cold boot and restore to ready) and the core scenario "
                + "set (restore vs --cold, --jobs 1 vs 2) in one run; print seconds and ratios, optionally as JSON.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, paramLabel = "NAME", description = "Flavor (default: ${DEFAULT-VALUE}).")
    String flavorName;

    @Option(names = "--rounds", defaultValue = "2", description = "Boots of each kind (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON, in seconds.")
    Path json;

    @Option(names = "--boots-only", description = "Only the boot figures (skip the three runs of the core scenario set).")
    boolean bootsOnly;

    @Option(names = "--no-matrix", description = "Skip the matrix stage (the four reference flavors, both lanes, whole suite: the longest stage).")
    boolean noMatrix;

    @Option(names = "--matrix-jobs", paramLabel = "N", description = "Scenarios at once in the matrix stage (default: as run takes them"
            + " without --jobs: the host's cores, at most one per 2 GiB of memory; under TCG the nodes then share them, one vCPU each on 2 cores).")
    Integer matrixJobs;

    @Option(names = "--check", description = "Exit 1 unless every goal was measured and met (for CI trend checks).")
    boolean check;

    @Option(names = "--core-set", defaultValue = "ExtensionScenarios.*", paramLabel = "GLOB",
            description = "The core scenario set (default: ${DEFAULT-VALUE}, the scenarios of issue 3).")
    String coreSet;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryOption registryOption;

    /** Set by {@link #call()}: what every stage runs with (accelerator, cache, registry). */
    private RunConfiguration config;
    private AcceleratorChoice accel;
    /** Each boot figure's rounds, in order. */
    private final java.util.Map<String, List<Double>> roundsOf = new java.util.LinkedHashMap<>();
    /** The suite's priced reboot cells, each split into its reboots and the rest; empty until that stage ran. */
    private List<BenchGoals.RebootCell> rebootCells = List.of();
    /** The load average as each stage started. */
    private final java.util.Map<String, List<Double>> loads = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds: expected at least 1, got " + rounds);
        }
        if (matrixJobs != null && matrixJobs < 1) {
            throw new IllegalArgumentException("--matrix-jobs: expected at least 1, got " + matrixJobs);
        }
        config = configuration();
        Workspace ws = config.checkedWorkspace();
        Flavor flavor = ws.flavors().load(flavorName);
        HostTools.requireAll();
        Progress progress = Progress.to(System.out);
        Instant buildStart = Instant.now();
        BootDisk disk = new FlavorImages(ws).bootDisk(flavor, progress);
        double buildS = Durations.seconds(Duration.between(buildStart, Instant.now()));
        // one choice for the boots and, through the configuration, the same request for every scenario stage
        accel = config.accelerator(ws, progress);
        Path dir = ws.reportsDir().resolve("bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Duration deadline = accel.current().scale(flavor.timeouts().boot());

        List<Double> bare = new ArrayList<>();
        List<Double> harness = new ArrayList<>();
        load("boots");
        // bare boots bracket the harness's: bare 0, harness 1, bare 1, harness 2, ..., bare n; a round's ratio is over
        // the mean of the bare boots on either side of it
        NodeLauncher bareLauncher = new NodeLauncher(flavor, disk).accelerator(accel);
        bare.add(bareBootToLogin(bareLauncher, dir.resolve("bare-0"), deadline));
        progress.step(String.format("bare QEMU to login, before round 1: %.2f s", bare.get(0)));
        for (int i = 1; i <= rounds; i++) {
            try (Node node = new NodeLauncher(flavor, disk).accelerator(accel).evidenceDir(dir.resolve("harness-" + i)).start()) {
                harness.add(Durations.seconds(Duration.between(node.vm().startedAt(), Instant.now())));
            }
            progress.step(String.format("round %d: harness cold boot to ready: %.2f s", i, harness.get(harness.size() - 1)));
            bare.add(bareBootToLogin(bareLauncher, dir.resolve("bare-" + i), deadline));
            progress.step(String.format("round %d: bare QEMU to login after it: %.2f s", i, bare.get(bare.size() - 1)));
        }
        List<Double> restores = new ArrayList<>();
        List<Double> onRequest = new ArrayList<>();
        load("restores");
        SavedStates states = new SavedStates(ws.cache());
        // As run starts a cell's node: made ahead while the node before it ran. Each node here lives until its successor
        // is made and its readiness checked ahead, as any cell's does with one node at a time (a cell's commands take over a
        // second, a spare about 0.6 s); start 0 may save first.
        try (Spares spares = new Spares(1)) {
            for (int i = 0; i <= rounds; i++) {
                try (Node node = new NodeLauncher(flavor, disk).accelerator(accel).savedStates(states).spares(spares)
                        .evidenceDir(dir.resolve("restore-" + i)).start()) {
                    if (i > 0) {
                        requireMadeAhead(node, i);
                        restores.add(Durations.seconds(node.ready().readyAfter()));
                        progress.step(String.format("restore %d: ready %.2f s after it was asked for", i, restores.get(restores.size() - 1)));
                    }
                    spares.awaitMade();
                }
            }
        }
        // and each made on request, nothing ahead: QEMU's start and the state's load on the node's own path
        for (int i = 1; i <= rounds; i++) {
            try (Node node = new NodeLauncher(flavor, disk).accelerator(accel).savedStates(states)
                    .evidenceDir(dir.resolve("restore-on-request-" + i)).start()) {
                onRequest.add(Durations.seconds(node.ready().readyAfter()));
                progress.step(String.format("restore on request %d: ready after %.2f s", i, onRequest.get(onRequest.size() - 1)));
            }
        }
        Figures f = new Figures();
        f.put("build_s", buildS);
        f.put("bare_boot_s", median(bare));
        f.put("cold_ready_s", median(harness));
        f.put("restore_ready_s", median(restores));
        f.put("restore_on_request_s", median(onRequest));
        f.put("restore_over_cold", f.get("restore_ready_s") / f.get("cold_ready_s"));
        List<Double> coldOverBare = BenchGoals.bracketedRatios(harness, bare);
        f.put("cold_over_bare_max", coldOverBare.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        // as the bench paired them before it bracketed: each round's harness boot over the bare boot just before it
        f.put("cold_over_bare_before_max", BenchGoals.worstRatio(harness, bare.subList(0, rounds)));
        roundsOf.put("cold_over_bare", coldOverBare);
        roundsOf.put("bare_boot_s", bare);
        roundsOf.put("cold_ready_s", harness);
        roundsOf.put("restore_ready_s", restores);
        roundsOf.put("restore_on_request_s", onRequest);
        // Written after every stage: a stage that fails (and fails the bench) leaves the figures measured before it.
        writeJson(f, flavor);
        if (!bootsOnly) {
            load("core-restore-jobs1");
            RunReport restoreJobs1 = core(flavor, dir, "core-restore-jobs1", false, 1, progress);
            f.put("core_set_restore_s", restoreJobs1.wallSeconds());
            f.put("jobs1_s", restoreJobs1.wallSeconds());
            f.put("core_marginal_median_s", nonRebootMedian(restoreJobs1));
            savesOf("core_set_restore", restoreJobs1, f);
            writeJson(f, flavor);
            load("suite-restore-jobs1");
            RunReport suite = run(List.of(flavor), dir, "suite-restore-jobs1", "*", false, 1, List.of(Lane.VM), progress);
            f.put("suite_restore_jobs1_s", suite.wallSeconds());
            f.put("scenario_marginal_median_s", nonRebootMedian(suite));
            rebootCells = BenchGoals.rebootCells(suite);
            f.put("reboot_cell_over_cold_max", BenchGoals.worstRebootCell(rebootCells, f.get("cold_ready_s")));
            f.put("reboot_alone_over_cold_max", BenchGoals.worstRebootAlone(rebootCells, f.get("cold_ready_s")));
            savesOf("suite_restore_jobs1", suite, f);
            writeJson(f, flavor);
            // the suite as `run` runs it without --jobs: the cells' own costs above come from one node at a time
            load("suite-restore");
            int asRun = jobsAsRunTakes(List.of(flavor), List.of(Lane.VM));
            RunReport byDefault = run(List.of(flavor), dir, "suite-restore", "*", false, asRun, List.of(Lane.VM), progress);
            f.put("suite_restore_s", byDefault.wallSeconds());
            f.put("suite_restore_jobs", (double) asRun);
            savesOf("suite_restore", byDefault, f);
            writeJson(f, flavor);
            load("core-cold-jobs1");
            f.put("core_set_cold_s", core(flavor, dir, "core-cold-jobs1", true, 1, progress).wallSeconds());
            writeJson(f, flavor);
            load("core-restore-jobs2");
            f.put("jobs2_s", core(flavor, dir, "core-restore-jobs2", false, 2, progress).wallSeconds());
            writeJson(f, flavor);
            if (!noMatrix) {
                load("matrix-all");
                List<Flavor> reference = ws.flavors().names().stream().map(ws.flavors()::load)
                        .filter(x -> x.family() == dev.sysextharness.flavor.Family.REFERENCE).toList();
                DockerImages.of(DockerEngine.shared(ws.cache().root())); // the container lane is part of the stage: no engine, no figure
                int jobs = matrixJobs != null ? matrixJobs : jobsAsRunTakes(reference, List.of(Lane.VM, Lane.CONTAINER));
                RunReport matrix = run(reference, dir, "matrix-all", "*", false, jobs, List.of(Lane.VM, Lane.CONTAINER), progress);
                f.put("matrix_all_s", matrix.wallSeconds());
                f.put("matrix_all_jobs", (double) jobs);
                savesOf("matrix_all", matrix, f);
                writeJson(f, flavor);
            }
        }
        load("end");

        System.out.printf("%nflavor %s, accelerator %s, %d round(s), evidence in %s%n", flavor.name(),
                accel.current().qemuName(), rounds, dir);
        System.out.printf("image build (0 when cached)             %8.2f s%n", f.get("build_s"));
        System.out.printf("bare QEMU boot to login: (median)       %8.2f s   %s%n", f.get("bare_boot_s"), bare);
        System.out.printf("harness cold boot to ready (median)     %8.2f s   %s%n", f.get("cold_ready_s"), harness);
        System.out.printf("  over the bare boots either side       %8.3f   (worst round of %s)%n", f.get("cold_over_bare_max"),
                coldOverBare.stream().map(r -> String.format("%.3f", r)).toList());
        System.out.printf("harness restore to ready (median)       %8.2f s   %s%n", f.get("restore_ready_s"), restores);
        System.out.printf("  the same, each made on request        %8.2f s   %s%n", f.get("restore_on_request_s"), onRequest);
        if (!bootsOnly) {
            System.out.printf("non-reboot scenario, median marginal    %8.2f s   (whole suite, --jobs 1, %.0f s wall)%n",
                    f.get("scenario_marginal_median_s"), f.get("suite_restore_jobs1_s"));
            System.out.printf("reboot cells, worst per reboot / cold   %8.3f   (the reboot alone: %.3f)%n",
                    f.get("reboot_cell_over_cold_max"), f.get("reboot_alone_over_cold_max"));
            rebootCells.forEach(c -> System.out.printf("  %-66s %6.2f s = reboot%s %5.2f s + the rest %5.2f s%n", c.scenario(),
                    c.wallS(), c.reboots() > 1 ? "s (" + c.reboots() + ")" : "", c.rebootS(), c.restS()));
            System.out.printf("whole suite as run runs it              %8.2f s   (--jobs %.0f)%n", f.get("suite_restore_s"),
                    f.get("suite_restore_jobs"));
            System.out.printf("  the same, core set only               %8.2f s%n", f.get("core_marginal_median_s"));
            System.out.printf("core set, restore, --jobs 1             %8.2f s%n", f.get("core_set_restore_s"));
            System.out.printf("core set, --cold, --jobs 1              %8.2f s%n", f.get("core_set_cold_s"));
            System.out.printf("core set, restore, --jobs 2             %8.2f s%n", f.get("jobs2_s"));
            System.out.printf("  cold / restore                        %8.3f%n", f.get("core_set_cold_s") / f.get("core_set_restore_s"));
            System.out.printf("  jobs 2 / jobs 1                       %8.3f%n", f.get("jobs2_s") / f.get("jobs1_s"));
            if (f.containsKey("matrix_all_s")) {
                System.out.printf("four reference flavors, both lanes      %8.2f s   (--jobs %.0f)%n", f.get("matrix_all_s"),
                        f.get("matrix_all_jobs"));
            }
        }
        System.out.printf("load average (1, 5, 15 min) at each stage: %s%n", loads);
        List<BenchGoals.Line> goals = BenchGoals.judge(f);
        System.out.printf("%ngoals:%n");
        goals.forEach(g -> System.out.println("  " + g.describe()));
        writeJson(f, flavor);
        if (check && !BenchGoals.allMet(goals)) {
            long missed = goals.stream().filter(g -> !g.met()).count();
            System.err.printf("error: bench --check: %d of %d goals not met (missed or not measured): %s%n", missed, goals.size(),
                    String.join(", ", goals.stream().filter(g -> !g.met()).map(g -> g.goal().figure() + " " + g.verdict()).toList()));
            return ExitCodes.SCENARIO_FAILED;
        }
        return ExitCodes.OK;
    }

    /**
     * A round of {@code restore_ready_s} is a node made ahead, or the figure would mix in restores on request (a spare
     * that failed, or a host where QEMU cannot be reniced): such a round stops the bench with the transcript's reason.
     */
    private static void requireMadeAhead(Node node, int round) throws IOException {
        String transcript = java.nio.file.Files.readString(node.transcript().file());
        if (!transcript.contains("# harness: " + NodeLauncher.MADE_AHEAD)) {
            String phases = transcript.lines().filter(l -> l.startsWith("# harness: restore phases")).findFirst().orElse("(no restore line)");
            throw new dev.sysextharness.host.HarnessException("bench: restore round " + round + " was not made ahead, so it is no round of"
                    + " restore_ready_s: " + phases + "; see " + node.transcript().file());
        }
    }

    /** The machine's load average (1, 5, 15 minutes) as a stage starts: how busy the machine was while it was measured. */
    private void load(String stage) {
        try {
            String[] avg = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            loads.put(stage, List.of(Double.parseDouble(avg[0]), Double.parseDouble(avg[1]), Double.parseDouble(avg[2])));
        } catch (IOException | RuntimeException e) {
            loads.put(stage, List.of());
        }
    }

    private void writeJson(Figures f, Flavor flavor) throws IOException {
        if (json != null) {
            ObjectNode o = Json.mapper().createObjectNode()
                    .put("flavor", flavor.name()).put("accelerator", accel.current().qemuName()).put("rounds", rounds);
            f.forEach(o::put);
            ObjectNode rs = o.putObject("roundsOf");
            roundsOf.forEach((k, v) -> v.forEach(rs.withArray(k)::add));
            ObjectNode ls = o.putObject("loadAverage");
            loads.forEach((k, v) -> v.forEach(ls.withArray(k)::add));
            com.fasterxml.jackson.databind.node.ArrayNode gs = o.putArray("goals");
            for (BenchGoals.Line g : BenchGoals.judge(f)) {
                ObjectNode line = gs.addObject().put("figure", g.goal().figure()).put("limit", g.goal().limit()).put("verdict", g.verdict());
                if (g.measured()) {
                    line.put("value", g.value());
                }
            }
            Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        }
    }

    private RunReport core(Flavor flavor, Path dir, String name, boolean cold, int jobs, Progress progress) throws IOException {
        return run(List.of(flavor), dir, name, coreSet, cold, jobs, List.of(Lane.VM), progress);
    }

    /** How many scenarios {@code run} takes at once without {@code --jobs} for the whole suite on these flavors and lanes. */
    private int jobsAsRunTakes(List<Flavor> flavors, List<Lane> lanes) {
        return ScenarioRun.autoJobs(stage(config, flavors, "*", false, 1).lanes(lanes).plan());
    }

    /** A timed run of the scenarios matching {@code glob}; any cell failing fails the bench (skipped cells do not). */
    private RunReport run(List<Flavor> flavors, Path dir, String name, String glob, boolean cold, int jobs, List<Lane> lanes,
            Progress progress) throws IOException {
        progress.step("scenarios " + glob + ": " + name);
        RunReport r = stage(config, flavors, glob, cold, jobs).lanes(lanes).progress(progress).execute(name, dir.resolve(name));
        if (r.count(Outcome.FAILED) + r.count(Outcome.ERROR) > 0) {
            throw new HarnessException("scenarios " + name + " did not pass; see " + r.dir().resolve("index.html"));
        }
        progress.step(String.format("scenarios %s: %.1f s", name, r.wallSeconds()));
        return r;
    }

    RunConfiguration configuration() {
        return common.configuration(List.of(flavorName), registryOption);
    }

    /** A scenario stage: the bench's own selection, with the command's accelerator, cache and registry. */
    static ScenarioRun stage(RunConfiguration config, List<Flavor> flavors, String glob, boolean cold, int jobs) {
        return new ScenarioRun(flavors).configuration(config).cold(cold).jobs(jobs).scenarios(glob);
    }

    /** The median passed non-reboot cell, leaving out cells whose node was first cold-booted and saved. */
    static double nonRebootMedian(RunReport r) {
        return median(r.results().stream().filter(c -> c.reboots() == 0 && c.outcome() == Outcome.PASSED && !BenchGoals.savedAStateFirst(c))
                .map(c -> c.durationMs() / 1000.0).toList());
    }

    /** How many cells of a stage first cold-booted and saved a state, and their wall time: in the stage's wall, not in its per-cell figures. */
    private static void savesOf(String stage, RunReport r, Figures f) {
        List<ScenarioResult> saving = r.results().stream().filter(BenchGoals::savedAStateFirst).toList();
        f.put(stage + "_saving_cells", (double) saving.size());
        f.put(stage + "_saving_cells_s", saving.stream().mapToDouble(c -> c.durationMs() / 1000.0).sum());
    }

    /** Named figures in seconds, in the order they were measured. */
    static final class Figures extends java.util.LinkedHashMap<String, Double> {
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
            return Durations.seconds(Duration.between(vm.startedAt(), Instant.now()));
        } catch (ConditionTimeoutException e) {
            throw new HarnessException("bare boot never printed login: within " + deadline.toSeconds() + " s; see " + dir);
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

}
