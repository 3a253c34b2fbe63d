package dev.sysextharness.cli;

import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.RunConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
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

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON (default: soak.json in the soak's directory).")
    Path json;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryOption registryOption;

    /** One run's figures. */
    record Round(int index, RunReport report, long cacheBytes, List<String> leftProcesses) {
    }

    /** A cell whose outcome differs from its outcome in an earlier run. */
    record Change(String cell, int firstRun, Outcome firstOutcome, String firstEvidence, int run, Outcome outcome, String evidence,
                  String observed) {
    }

    /** Each cell's first result, and every later result that differs from it. */
    static final class OutcomeHistory {
        private final Map<String, ScenarioResult> first = new LinkedHashMap<>();
        private final Map<String, Integer> firstRun = new LinkedHashMap<>();
        private final List<Change> changes = new ArrayList<>();

        /** Records run {@code run}; returns the changes it brought. */
        List<Change> record(int run, RunReport report) {
            List<Change> now = new ArrayList<>();
            for (ScenarioResult r : report.results()) {
                String cell = r.scenario() + " [" + r.flavor() + "/" + r.lane() + "]";
                ScenarioResult earlier = first.putIfAbsent(cell, r);
                firstRun.putIfAbsent(cell, run);
                if (earlier != null && earlier.outcome() != r.outcome()) {
                    now.add(new Change(cell, firstRun.get(cell), earlier.outcome(), earlier.evidence(), run, r.outcome(), r.evidence(),
                            r.observed()));
                }
            }
            changes.addAll(now);
            return now;
        }

        List<Change> changes() {
            return List.copyOf(changes);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs: expected at least 1, got " + runs);
        }
        RunConfiguration config = common.configuration(selection.flavorNames, registryOption);
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        selection.scenarioRun(config, flavors).plan();
        HostTools.requireAll();
        Progress progress = Progress.to(System.out);
        Path dir = ws.reportsDir().resolve("soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Path jsonFile = json != null ? json : dir.resolve("soak.json");
        long cacheBefore = diskUsage(ws.cache().root());
        List<Round> rounds = new ArrayList<>();
        OutcomeHistory history = new OutcomeHistory();
        for (int i = 1; i <= runs; i++) {
            RunReport report = selection.scenarioRun(config, flavors).cold(false)
                    .progress(progress).execute("soak-" + i, dir.resolve("run-" + i));
            List<String> left = leftProcesses();
            Round round = new Round(i, report, diskUsage(ws.cache().root()), left);
            rounds.add(round);
            int changedNow = history.record(i, report).size();
            progress.step(String.format("run %d/%d: %d passed, %d failed, %d error, %d skipped in %.0f s; outcomes changed: %d;"
                            + " processes left: %d; cache %+.1f MB", i, runs, report.count(Outcome.PASSED), report.count(Outcome.FAILED),
                    report.count(Outcome.ERROR), report.count(Outcome.SKIPPED), report.wallSeconds(), changedNow, left.size(),
                    (round.cacheBytes() - (i == 1 ? cacheBefore : rounds.get(i - 2).cacheBytes())) / 1e6));
            for (String p : left) {
                progress.step("  left running: " + p);
            }
            writeJson(jsonFile, cacheBefore, rounds, history.changes());
        }
        List<Change> changes = history.changes();
        int judged = rounds.stream().mapToInt(r -> (int) (r.report().count(Outcome.PASSED) + r.report().count(Outcome.FAILED))).sum();
        long leftTotal = rounds.stream().mapToLong(r -> r.leftProcesses().size()).sum();
        System.out.printf("%nsoak: %d of %d runs completed, %d cells judged, %d outcome changes, %d processes left, cache %+.1f MB"
                        + " per run; figures in %s%n", rounds.size(), runs, judged, changes.size(), leftTotal,
                (rounds.get(rounds.size() - 1).cacheBytes() - cacheBefore) / 1e6 / rounds.size(), jsonFile);
        for (Change c : changes) {
            System.out.printf("changed %s: run %d %s (%s), run %d %s (%s): %s%n", c.cell(), c.firstRun(), c.firstOutcome(),
                    c.firstEvidence(), c.run(), c.outcome(), c.evidence(), c.observed());
        }
        int worst = rounds.stream().mapToInt(r -> ExitCodes.of(r.report(), false)).max().orElse(ExitCodes.OK);
        return worst != ExitCodes.OK ? worst : changes.isEmpty() && leftTotal == 0 ? ExitCodes.OK : ExitCodes.SCENARIO_FAILED;
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

    private void writeJson(Path file, long cacheBefore, List<Round> rounds, List<Change> changes) throws java.io.IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("runsAsked", runs).put("runsCompleted", rounds.size())
                .put("cacheBytesBefore", cacheBefore);
        ArrayNode rs = root.putArray("runs");
        for (Round r : rounds) {
            rs.addObject().put("run", r.index()).put("report", r.report().dir().toString()).put("wallSeconds", r.report().wallSeconds())
                    .put("passed", r.report().count(Outcome.PASSED)).put("failed", r.report().count(Outcome.FAILED))
                    .put("error", r.report().count(Outcome.ERROR)).put("skipped", r.report().count(Outcome.SKIPPED))
                    .put("cacheBytes", r.cacheBytes()).put("processesLeft", r.leftProcesses().size());
        }
        ArrayNode cs = root.putArray("outcomeChanges");
        for (Change c : changes) {
            cs.addObject().put("cell", c.cell()).put("firstRun", c.firstRun()).put("firstOutcome", c.firstOutcome().label())
                    .put("firstEvidence", c.firstEvidence()).put("run", c.run()).put("outcome", c.outcome().label())
                    .put("evidence", c.evidence()).put("observed", c.observed());
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
