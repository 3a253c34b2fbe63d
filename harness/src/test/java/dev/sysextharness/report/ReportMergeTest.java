package dev.sysextharness.report;

import dev.sysextharness.host.HarnessVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report merge: shards combined cell by cell through the real summary.json, and every way two runs may not combine refused. */
class ReportMergeTest {
    private static final Flavor DEBIAN_12 = Workspace.locate(null).flavors().load("debian-12");
    private static final Function<String, Flavor> FLAVORS = name -> Workspace.locate(null).flavors().load(name);
    private static final List<List<String>> SPLIT = List.of(List.of("S.a@debian-12/vm", "S.b@debian-12/vm"), List.of("S.c@debian-12/vm"),
            List.of("S.d@debian-12/vm"));

    @TempDir
    Path tmp;

    /** A finished run written by RunReport itself: cells "S.x=outcome", each with an evidence file. */
    private Path run(String id, PlanShard shard, String... cells) throws IOException {
        Path dir = tmp.resolve("reports").resolve(id);
        RunReport report = new RunReport(id, dir, List.of(DEBIAN_12)).shard(shard);
        for (String cell : cells) {
            String[] parts = cell.split("=");
            Path evidence = Files.createDirectories(dir.resolve("evidence/debian-12").resolve(parts[0]));
            Files.writeString(evidence.resolve("transcript.txt"), "ran " + parts[0] + " in " + id + "\n");
            report.add(new ScenarioResult("debian-12", "vm", parts[0], Outcome.parse(parts[1]), "expected " + parts[0], "observed in " + id,
                    1000, evidence.toString(), 0, "restore"));
        }
        report.write();
        return dir;
    }

    private static PlanShard shard(int index) {
        return new PlanShard(index, 3, "plan-1", SPLIT);
    }

    private static ReportMerge.Merged merge(Path prefer, boolean allowPartial, Path... dirs) {
        return ReportMerge.merge(java.util.Arrays.stream(dirs).map(RunSummary::read).toList(), prefer, allowPartial);
    }

    private static Map<String, String> outcomes(List<ScenarioResult> results) {
        return results.stream().collect(Collectors.toMap(ScenarioResult::key, r -> r.outcome().label()));
    }

    @Test
    void threeShardsMergeIntoOneReportWhoseEvidenceLinksWork() throws IOException {
        Path s0 = run("p-shard-0", shard(0), "S.a=passed", "S.b=failed");
        Path s1 = run("p-shard-1", shard(1), "S.c=passed");
        Path s2 = run("p-shard-2", shard(2), "S.d=skipped");

        ReportMerge.Merged merged = merge(null, false, s0, s1, s2);
        Path out = tmp.resolve("merged");
        RunReport report = ReportMerge.report(merged, "merged", out, FLAVORS);
        report.write();

        RunSummary back = RunSummary.read(out);
        assertThat(outcomes(back.results())).as("every cell of every shard, once").isEqualTo(Map.of("S.a@debian-12/vm", "passed",
                "S.b@debian-12/vm", "failed", "S.c@debian-12/vm", "passed", "S.d@debian-12/vm", "skipped"));
        assertThat(back.shard()).as("the merged run is a whole run, not a shard").isEmpty();
        for (ScenarioResult r : back.results()) {
            assertThat(Path.of(r.evidence()).resolve("transcript.txt")).as("evidence of %s reachable from the merged report", r.key())
                    .content().contains("ran " + r.scenario());
        }
        assertThat(Files.readSymbolicLink(out.resolve("runs/p-shard-1"))).as("a relative link").isEqualTo(Path.of("../../reports/p-shard-1"));
        String html = Files.readString(out.resolve("index.html"));
        assertThat(html).as("the page links into the shards' evidence").contains("href=\"runs/p-shard-0/evidence/debian-12/S.a/transcript.txt\"");
        assertThat(merged.missing()).isZero();
    }

    @Test
    void aShardThatNeverReportedLeavesItsCellsAsErrors() throws IOException {
        Path s0 = run("p-shard-0", shard(0), "S.a=passed", "S.b=passed");
        Path s2 = run("p-shard-2", shard(2), "S.d=passed");

        ReportMerge.Merged merged = merge(null, false, s0, s2);
        RunReport report = ReportMerge.report(merged, "merged", tmp.resolve("merged"), FLAVORS);

        assertThat(report.results()).filteredOn(r -> r.outcome() == Outcome.ERROR).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("S.c@debian-12/vm");
            assertThat(r.observed()).isEqualTo("shard 1 of 3 did not report");
        });
        assertThat(report.count(Outcome.PASSED)).isEqualTo(3);
        assertThat(merged.missing()).isEqualTo(1);
    }

    @Test
    void aKilledShardMergesAndTheCellsItDidNotJudgeAreErrors() throws IOException {
        Path s0 = tmp.resolve("reports/p-shard-0"); // killed after its first cell: only its progress summary is there
        RunReport killed = new RunReport("p-shard-0", s0, List.of(DEBIAN_12)).shard(shard(0))
                .plan(List.of(new PlannedCell("S.a", "debian-12", "vm", null, "t"), new PlannedCell("S.b", "debian-12", "vm", null, "t")));
        killed.add(new ScenarioResult("debian-12", "vm", "S.a", Outcome.PASSED, "e", "o", 1000,
                Files.createDirectories(s0.resolve("evidence/debian-12/S.a")).toString(), 0, "restore"));
        killed.writeProgress();
        Path s1 = run("p-shard-1", shard(1), "S.c=passed");
        Path s2 = run("p-shard-2", shard(2), "S.d=passed");

        ReportMerge.Merged merged = merge(null, false, s0, s1, s2);

        assertThat(merged.cells()).as("every planned cell once").hasSize(4)
                .filteredOn(c -> c.result().outcome() == Outcome.ERROR).singleElement().satisfies(c -> {
                    assertThat(c.result().key()).isEqualTo("S.b@debian-12/vm");
                    assertThat(c.result().observed()).isEqualTo(RunSummary.read(s0).dir() + " did not finish (killed?) before judging it");
                });
    }

    @Test
    void aKilledWholeRunNeedsConsentAndThenItsPendingCellsAreErrors() throws IOException {
        Path dir = tmp.resolve("reports/killed");
        RunReport killed = new RunReport("killed", dir, List.of(DEBIAN_12))
                .plan(List.of(new PlannedCell("S.a", "debian-12", "vm", null, "t"), new PlannedCell("S.b", "debian-12", "vm", null, "t")));
        killed.writeProgress();
        Path other = run("other", null, "S.c=passed");

        assertThatThrownBy(() -> merge(null, false, dir, other)).isInstanceOf(ConfigException.class).hasMessageContaining("--allow-partial");
        assertThat(outcomes(merge(null, true, dir, other).cells().stream().map(ReportMerge.Cell::result).toList()))
                .isEqualTo(Map.of("S.a@debian-12/vm", "error", "S.b@debian-12/vm", "error", "S.c@debian-12/vm", "passed"));
    }

    @Test
    void overlappingCellsWithTheSameOutcomeMergeAndDifferentOnesNeedPrefer() throws IOException {
        Path whole = run("whole", null, "S.a=passed", "S.b=failed");
        Path same = run("again", null, "S.a=passed");
        assertThat(outcomes(merge(null, false, whole, same).cells().stream().map(ReportMerge.Cell::result).toList()))
                .isEqualTo(Map.of("S.a@debian-12/vm", "passed", "S.b@debian-12/vm", "failed"));

        Path rerun = run("rerun", null, "S.b=passed");
        assertThatThrownBy(() -> merge(null, false, whole, rerun)).isInstanceOf(ConfigException.class)
                .hasMessage("report merge: cell S.b@debian-12/vm failed in " + whole + " but passed in " + rerun
                        + "; name the run that wins with --prefer DIR");

        ReportMerge.Merged preferred = merge(rerun, false, whole, rerun);
        assertThat(preferred.cells()).filteredOn(c -> c.result().key().equals("S.b@debian-12/vm")).singleElement()
                .satisfies(c -> assertThat(c.result().outcome()).isEqualTo(Outcome.PASSED))
                .satisfies(c -> assertThat(c.from().orElseThrow().dir()).isEqualTo(rerun));
        ReportMerge.Merged otherWay = merge(whole, false, whole, rerun);
        assertThat(otherWay.cells()).filteredOn(c -> c.result().key().equals("S.b@debian-12/vm")).singleElement()
                .satisfies(c -> assertThat(c.result().outcome()).isEqualTo(Outcome.FAILED));

        assertThatThrownBy(() -> merge(tmp.resolve("elsewhere"), false, whole, rerun)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--prefer " + tmp.resolve("elsewhere") + " is not one of the runs given");
    }

    @Test
    void runsOfDifferentHarnessVersionsAreRefused() throws IOException {
        Path a = run("a", null, "S.a=passed");
        Path b = run("b", null, "S.b=passed");
        Path file = b.resolve("summary.json");
        Files.writeString(file, Files.readString(file).replaceFirst("\"harnessVersion\" : \"[^\"]*\"", "\"harnessVersion\" : \"0.2.0\""));

        assertThatThrownBy(() -> merge(null, false, a, b)).isInstanceOf(ConfigException.class)
                .hasMessage("report merge: " + a + " was made by harness " + HarnessVersion.current() + " but " + b
                        + " by 0.2.0: runs of different harness versions do not merge");
    }

    @Test
    void shardsOfDifferentPlansAreRefused() throws IOException {
        Path s0 = run("p-shard-0", shard(0), "S.a=passed", "S.b=passed");
        Path other = run("q-shard-1", new PlanShard(1, 3, "plan-2", SPLIT), "S.c=passed");

        assertThatThrownBy(() -> merge(null, false, s0, other)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(other + " is shard 1 of 3 of plan plan-2, but " + s0 + " is of plan plan-1");
    }

    @Test
    void aPartialRunIsRefusedUnlessAllowed() throws IOException {
        Path whole = run("whole", null, "S.a=passed");
        Path killed = run("killed", null, "S.b=passed");
        Path file = killed.resolve("summary.json");
        Files.writeString(file, Files.readString(file).replaceFirst("\"complete\" : true", "\"complete\" : false"));

        assertThatThrownBy(() -> merge(null, false, whole, killed)).isInstanceOf(ConfigException.class)
                .hasMessage("report merge: " + killed + " is a partial run (\"complete\": false); pass --allow-partial to merge it anyway");
        assertThat(merge(null, true, whole, killed).cells()).hasSize(2);
    }

    @Test
    void aDirectoryWithoutASummaryIsNamed() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("nothing"));
        assertThatThrownBy(() -> RunSummary.read(empty)).isInstanceOf(ConfigException.class).hasMessageStartingWith(empty + ": no summary.json");
    }

    @Test
    void durationsComeFromCompleteWholeRunsOnlyTheLatestWinning() throws IOException {
        Path older = run("older", null, "S.a=passed", "S.b=passed");
        Path newer = run("newer", null, "S.a=passed");
        run("p-shard-0", shard(0), "S.b=passed");
        rewriteDurations(older, 7_000, "2026-01-01T00:00:00Z");
        rewriteDurations(newer, 9_000, "2026-02-01T00:00:00Z");

        Map<String, Long> latest = CellDurations.latest(tmp.resolve("reports"));
        assertThat(latest).as("S.a from the newer run; S.b from the older whole run, not the shard")
                .isEqualTo(Map.of("S.a@debian-12/vm", 9_000L, "S.b@debian-12/vm", 7_000L));
    }

    private static void rewriteDurations(Path dir, long ms, String finished) throws IOException {
        Path file = dir.resolve("summary.json");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(line.replaceAll("\"durationMs\" : \\d+", "\"durationMs\" : " + ms)
                    .replaceAll("\"finished\" : \"[^\"]*\"", "\"finished\" : \"" + finished + "\""));
        }
        Files.write(file, lines);
    }
}
