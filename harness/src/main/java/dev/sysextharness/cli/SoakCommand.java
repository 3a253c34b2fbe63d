package dev.sysextharness.cli;

import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessVersion;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.scenario.RunConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The same suite, run after run on restored nodes, looking for what one run cannot show: a cell whose outcome changes
 * between runs (a flaky check, a race, state leaking from one node into the next), processes left behind by a run,
 * and a cache that grows with every run. Each changed cell is reported with the evidence of both runs.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run the suite N times back to back on restored nodes and report every cell whose outcome changed",
                "between runs (with both runs' evidence), processes left after each run, and cache growth per run."})
final class SoakCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "Runs of the suite (default: ${DEFAULT-VALUE}).")
    int runs;

    @Mixin
    SelectionOptions selection;

    @Option(names = "--json", paramLabel = "FILE", description = "Also copy the figures (soak.json in the soak's directory) to FILE after every run.")
    Path json;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryOption registryOption;

    @Option(names = "--resume", paramLabel = "DIR",
            description = {"Go on with the soak in DIR (a reports/soak-<time> directory) up to --runs runs, in a later sitting: its",
                    "completed runs count and stay the reference, a run its last sitting was cut in is moved aside (run-K.cut)",
                    "and made again. Same build and selection only; selection options not given are taken from its soak.json."})
    Path resume;

    @Option(names = "--stop-after", paramLabel = "MINUTES",
            description = {"Start no run that would end, by the longest run so far, more than MINUTES minutes after this sitting",
                    "started. A soak stopped short of --runs exits 3 and says how to go on (--resume)."})
    Integer stopAfterMinutes;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs: expected at least 1, got " + runs);
        }
        if (stopAfterMinutes != null && stopAfterMinutes < 1) {
            throw new IllegalArgumentException("--stop-after: expected at least 1 minute, got " + stopAfterMinutes);
        }
        long sittingStarted = System.nanoTime();
        Path resumed = resume == null ? null : resume.toAbsolutePath().normalize();
        if (resumed != null) {
            selection.adoptUnlessGiven(SoakFile.recordedSelection(resumed));
        }
        RunConfiguration config = common.configuration(selection.flavorNames, registryOption);
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        Set<String> cells = new TreeSet<>(selection.scenarioRun(config, flavors).plan().stream().map(PlannedCell::key).toList());
        HostTools.requireAll();
        String now = LocalDateTime.now().toString();
        SoakFile soak = resumed != null ? SoakFile.resume(resumed, HarnessVersion.current(), cells, runs, now)
                : SoakFile.start(ws.reportsDir().resolve("soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                        .toAbsolutePath(), HarnessVersion.current(), cells, selection.arguments(), diskUsage(ws.cache().root()), runs, now);
        Progress progress = Progress.to(System.out);
        if (resumed != null) {
            progress.step(String.format("resuming %s at run %d of %d (%s)%s", resumed, soak.nextRun(), runs,
                    String.join(" ", soak.selection()), soak.cutRuns().isEmpty() ? "" : "; cut runs set aside: " + soak.cutRuns()));
        }
        String stoppedBy = null;
        while (soak.nextRun() <= runs) {
            stoppedBy = soak.wouldOverrun((System.nanoTime() - sittingStarted) / 1e9, stopAfterMinutes);
            if (stoppedBy != null) {
                break;
            }
            int i = soak.nextRun();
            RunReport report = selection.scenarioRun(config, flavors).cold(false)
                    .progress(progress).execute("soak-" + i, soak.runDir(i));
            List<String> left = leftProcesses();
            int changedNow = soak.complete(report, diskUsage(ws.cache().root()), left).size();
            if (json != null) {
                Files.createDirectories(json.toAbsolutePath().getParent());
                Files.copy(soak.file(), json, StandardCopyOption.REPLACE_EXISTING);
            }
            progress.step(String.format("run %d/%d: %d passed, %d failed, %d error, %d skipped in %.0f s; outcomes changed: %d;"
                            + " processes left: %d; cache %+.1f MB", i, runs, report.count(Outcome.PASSED), report.count(Outcome.FAILED),
                    report.count(Outcome.ERROR), report.count(Outcome.SKIPPED), report.wallSeconds(), changedNow, left.size(),
                    soak.cacheGrowth(i) / 1e6));
            for (String p : left) {
                progress.step("  left running: " + p);
            }
        }
        List<SoakFile.Round> rounds = soak.rounds();
        Path figures = json != null ? json : soak.file();
        System.out.printf("%nsoak: %d of %d runs completed, %d cells judged, %d outcome changes, %d processes left, cache %+.1f MB"
                        + " per run; figures in %s%n", rounds.size(), runs, soak.judged(), soak.changes().size(), soak.processesLeft(),
                rounds.isEmpty() ? 0 : (rounds.get(rounds.size() - 1).cacheBytes() - soak.cacheBytesBefore()) / 1e6 / rounds.size(), figures);
        for (SoakFile.Change c : soak.changes()) {
            System.out.printf("changed %s: run %d %s (%s), run %d %s (%s): %s%n", c.cell(), c.firstRun(), c.firstOutcome(),
                    c.firstEvidence(), c.run(), c.outcome(), c.evidence(), c.observed());
        }
        if (stoppedBy != null) {
            System.err.printf("error: soak stopped after %d of %d runs: %s; go on with: sysext-harness soak --runs %d --resume %s%n",
                    rounds.size(), runs, stoppedBy, runs, soak.dir());
            return ExitCodes.INFRASTRUCTURE;
        }
        int worst = rounds.stream().mapToInt(SoakFile.Round::exitCode).max().orElse(ExitCodes.OK);
        return worst != ExitCodes.OK ? worst
                : soak.changes().isEmpty() && soak.processesLeft() == 0 ? ExitCodes.OK : ExitCodes.SCENARIO_FAILED;
    }

    /**
     * Processes this JVM started that still run after a run has ended (QEMU, registry, image builds, leaked containers:
     * none should), except the private Docker engine itself, which serves every run of the JVM by design.
     */
    static List<String> leftProcesses() {
        return leftProcesses(ProcessHandle.current(), DockerEngine.sharedPrivatePid());
    }

    /**
     * {@code parent}'s live descendants but the engine's own processes: the one of PID {@code enginePid} (the
     * {@code unshare} wrapper; -1 for none) and the dockerd and containerd below it. What runs below those (a
     * container's shim and processes) still counts. The engine is found by its PID, not by name: its outermost process
     * is {@code unshare}.
     */
    static List<String> leftProcesses(ProcessHandle parent, long enginePid) {
        Set<Long> engine = new HashSet<>();
        ProcessHandle.of(enginePid).ifPresent(e -> {
            engine.add(e.pid());
            e.descendants().filter(d -> ENGINE_DAEMONS.contains(Path.of(d.info().command().orElse("?")).getFileName().toString()))
                    .forEach(d -> engine.add(d.pid()));
        });
        return parent.descendants().filter(ProcessHandle::isAlive).filter(p -> !engine.contains(p.pid()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /** The daemons of a private engine, below its unshare wrapper. */
    static final Set<String> ENGINE_DAEMONS = Set.of("dockerd", "containerd");

    /** Bytes the directory takes on disk (sparse files count what they use). */
    static long diskUsage(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        String out = OwnedProcesses.run(List.of("du", "-s", "--block-size=1", dir.toString()), 300);
        return Long.parseLong(out.strip().split("\\s+")[0]);
    }
}
