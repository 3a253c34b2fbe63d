package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.report.PlanShard;
import dev.sysextharness.report.RunSummary;
import dev.sysextharness.report.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A selection run whole, then as three shards in three concurrent processes (each as a CI job would start it, with
 * the whole run's durations to balance by), then merged: the merged report must equal the whole run cell for cell,
 * and the shards must have split the cells without overlap. Prints both wall times.
 */
@Tag("vm")
class ShardRoundTripIT {
    static final Path REPO = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath().normalize();
    /**
     * Ten judged VM cells and two the gate skips on debian-12 (systemd 252); none reboots (a reboot cell takes minutes
     * under TCG and would make up a shard by itself).
     */
    static final String SELECTION = "*nodeHasTheKairosLayout,*foreign*,*hostId*,*mutable*,*Architecture*,*idAny*,*SysextLevel*";
    static final int SHARDS = 3;
    static final Duration DEADLINE = Duration.ofMinutes(25);

    @Test
    void threeShardsMergedEqualTheWholeRunCellForCell() throws Exception {
        Path out = Files.createDirectories(Path.of(System.getProperty("sysext.selftestDir", "target/selftest"))
                .resolve("shard-round-trip-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(java.time.LocalDateTime.now())))
                .toAbsolutePath();
        Path reports = out.resolve("reports");

        Instant wholeStart = Instant.now();
        Process whole = run(out, "whole", "--run-id", "whole");
        assertThat(whole.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the whole run ends within %s", DEADLINE).isTrue();
        Duration wholeWall = Duration.between(wholeStart, Instant.now());
        RunSummary wholeRun = RunSummary.read(reports.resolve("whole"));
        assertThat(wholeRun.results()).as("the whole run's cells; output: %s", tail(out, "whole")).hasSize(12);

        Instant shardsStart = Instant.now();
        List<Process> shards = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            shards.add(run(out, "shard-" + i, "--shard", i + "/" + SHARDS, "--run-id", "sel-shard-" + i));
        }
        for (int i = 0; i < SHARDS; i++) {
            assertThat(shards.get(i).waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("shard %d ends within %s", i, DEADLINE).isTrue();
        }
        Duration shardsWall = Duration.between(shardsStart, Instant.now());
        List<RunSummary> shardRuns = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            assertThat(shards.get(i).exitValue()).as("shard %d's exit code; output: %s", i, tail(out, "shard-" + i)).isEqualTo(whole.exitValue());
            shardRuns.add(RunSummary.read(reports.resolve("sel-shard-" + i)));
        }

        Set<String> seen = new HashSet<>();
        for (RunSummary s : shardRuns) {
            PlanShard shard = s.shard().orElseThrow();
            assertThat(shard.plan()).as("every shard of the same plan").isEqualTo(shardRuns.get(0).shard().orElseThrow().plan());
            for (ScenarioResult r : s.results()) {
                assertThat(seen.add(r.key())).as("cell %s in one shard only", r.key()).isTrue();
            }
            assertThat(s.results().stream().map(ScenarioResult::key).toList()).as("%s ran what the split gave it", shard.label())
                    .containsExactlyInAnyOrderElementsOf(shard.split().get(shard.index()));
        }

        List<String> mergeArgs = new ArrayList<>(List.of("report", "merge", "--out", out.resolve("merged").toString()));
        shardRuns.forEach(s -> mergeArgs.add(s.dir().toString()));
        CliRun merge = CliRun.of(mergeArgs.toArray(String[]::new));
        RunSummary merged = RunSummary.read(out.resolve("merged"));
        assertThat(merge.exit()).as("merge exits as the whole run did; output: %s%s", merge.out(), merge.err()).isEqualTo(whole.exitValue());
        assertThat(outcomes(merged)).as("the merged shards, cell for cell").isEqualTo(outcomes(wholeRun));
        for (ScenarioResult r : merged.results()) {
            assertThat(Path.of(r.evidence())).as("evidence of %s reachable from the merged report", r.key()).isDirectory();
        }

        long perShardMax = shardRuns.stream().mapToLong(s -> Math.round(s.wallSeconds())).max().orElseThrow();
        System.err.printf("shard round trip (%s on debian-12, %d cells): whole run %d s wall; %d shards side by side %d s wall"
                        + " (longest shard's own %d s; cells per shard %s); merged cells equal the whole run's: %s%n",
                SELECTION, wholeRun.results().size(), wholeWall.toSeconds(), SHARDS, shardsWall.toSeconds(), perShardMax,
                shardRuns.stream().map(s -> s.results().size()).toList(), outcomes(merged));
    }

    private static Map<String, String> outcomes(RunSummary run) {
        return run.results().stream().collect(Collectors.toMap(ScenarioResult::key, r -> r.outcome().label(), (a, b) -> a + "," + b, TreeMap::new));
    }

    /** The real command line in its own JVM, as a CI job or a pod starts it; output in {@code name}.txt. */
    private static Process run(Path out, String name, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dsysext.repoRoot=" + REPO));
        if (System.getProperty("sysext.cacheDir") != null) {
            argv.add("-Dsysext.cacheDir=" + System.getProperty("sysext.cacheDir"));
        }
        argv.addAll(List.of("dev.sysextharness.cli.Main", "run", "--flavor", "debian-12", "--scenario", SELECTION, "--jobs", "1",
                "--report-dir", out.resolve("reports").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.resolve(name + ".txt").toFile());
        return OwnedProcesses.start(pb);
    }

    private static String tail(Path out, String name) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve(name + ".txt"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
