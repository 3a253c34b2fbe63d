package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Json;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's judgement and its file: a cell whose outcome differs from its first run's is a change, reported with both
 * runs' evidence — also when the runs were made in different sittings of one soak — and a soak goes on only with the
 * build and the selection it started with.
 */
class SoakFileTest {
    private static final String BUILD = "0.1.0-SNAPSHOT+abc1234";
    private static final Set<String> CELLS = Set.of("C.idAny[debian-12/vm]", "C.layout[debian-12/vm]");
    private static final List<String> SELECTION = List.of("--flavor", "debian-12", "--lane", "vm");

    @TempDir
    Path reports;

    private static List<ScenarioResult> results(Path runDir, String idAnyOutcome) {
        return List.of(
                new ScenarioResult("debian-12", "vm", "C.idAny", Outcome.parse(idAnyOutcome), "merged", "seen in " + runDir.getFileName(), 1,
                        runDir.resolve("ev/idAny").toString(), 0, "restore"),
                new ScenarioResult("debian-12", "vm", "C.layout", Outcome.PASSED, "layout", "seen", 1, runDir.resolve("ev/layout").toString(),
                        0, "restore"));
    }

    /** A finished run's report in the soak's next run directory, as the scenario run writes it. */
    private static RunReport finishedRun(SoakFile soak, String idAnyOutcome) throws IOException {
        Path runDir = soak.runDir(soak.nextRun());
        RunReport report = new RunReport("soak-" + soak.nextRun(), runDir, List.of());
        results(runDir, idAnyOutcome).forEach(report::add);
        report.write();
        return report;
    }

    private SoakFile started(int runs) throws IOException {
        return SoakFile.start(reports.resolve("soak-1"), BUILD, CELLS, SELECTION, 1000, runs, "2026-12-02T03:00");
    }

    @Test
    void aCellThatChangesIsReportedWithBothRunsEvidence() {
        SoakFile.OutcomeHistory history = new SoakFile.OutcomeHistory();
        Path r = Path.of("/r");
        assertThat(history.record(1, results(r.resolve("run-1"), "passed"))).isEmpty();
        assertThat(history.record(2, results(r.resolve("run-2"), "passed"))).isEmpty();

        assertThat(history.record(3, results(r.resolve("run-3"), "failed"))).singleElement().satisfies(c -> {
            assertThat(c.cell()).isEqualTo("C.idAny [debian-12/vm]");
            assertThat(c.firstRun()).isEqualTo(1);
            assertThat(c.firstOutcome()).isEqualTo(Outcome.PASSED);
            assertThat(c.firstEvidence()).isEqualTo("/r/run-1/ev/idAny");
            assertThat(c.run()).isEqualTo(3);
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.evidence()).isEqualTo("/r/run-3/ev/idAny");
            assertThat(c.observed()).isEqualTo("seen in run-3");
        });
        assertThat(history.record(4, results(r.resolve("run-4"), "passed"))).as("back to its first outcome").isEmpty();
        assertThat(history.changes()).hasSize(1);
    }

    @Test
    void aResumedSoakComparesItsNewRunsWithTheFirstSittingsRuns() throws IOException {
        SoakFile first = started(3);
        assertThat(first.complete(finishedRun(first, "passed"), 1500, List.of())).isEmpty();

        SoakFile second = SoakFile.resume(first.dir(), BUILD, CELLS, 3, "2026-12-03T03:00");
        assertThat(second.nextRun()).isEqualTo(2);
        assertThat(second.selection()).isEqualTo(SELECTION);
        assertThat(second.complete(finishedRun(second, "failed"), 1700, List.of("4242 qemu-system-x86_64 ..."))).singleElement()
                .satisfies(c -> {
                    assertThat(c.firstRun()).as("the reference is the first sitting's run").isEqualTo(1);
                    assertThat(c.firstEvidence()).isEqualTo(first.runDir(1).resolve("ev/idAny").toString());
                    assertThat(c.evidence()).isEqualTo(first.runDir(2).resolve("ev/idAny").toString());
                });

        JsonNode figures = Json.mapper().readTree(first.file().toFile());
        assertThat(figures.path("runsCompleted").asInt()).isEqualTo(2);
        assertThat(figures.path("cellsJudged").asInt()).as("two cells judged in each of two runs").isEqualTo(4);
        assertThat(figures.path("outcomeChangeCount").asInt()).isEqualTo(1);
        assertThat(figures.path("processesLeft").asInt()).isEqualTo(1);
        assertThat(figures.path("runs").get(0).path("cacheGrowthBytes").asLong()).isEqualTo(500);
        assertThat(figures.path("runs").get(1).path("cacheGrowthBytes").asLong()).isEqualTo(200);
        assertThat(figures.path("runs").get(1).path("exitCode").asInt()).isEqualTo(ExitCodes.SCENARIO_FAILED);
        assertThat(figures.path("runs").get(1).path("leftProcesses").get(0).asText()).startsWith("4242 ");
        assertThat(figures.path("sittings")).hasSize(2);
        assertThat(Files.list(first.dir()).map(p -> p.getFileName().toString())).as("no temporary file left beside soak.json")
                .doesNotContain(SoakFile.NAME + ".tmp");
    }

    @Test
    void aRunCutByAKilledSittingIsSetAsideAndMadeAgain() throws IOException {
        SoakFile first = started(5);
        first.complete(finishedRun(first, "passed"), 1500, List.of());
        Files.createDirectories(first.runDir(2).resolve("ev"));
        Files.writeString(first.runDir(2).resolve("summary.json"), "{\"complete\": false}");

        SoakFile second = SoakFile.resume(first.dir(), BUILD, CELLS, 5, "later");

        assertThat(second.nextRun()).isEqualTo(2);
        assertThat(first.runDir(2)).doesNotExist();
        assertThat(first.dir().resolve("run-2.cut").resolve("summary.json")).hasContent("{\"complete\": false}");
        assertThat(second.cutRuns()).containsExactly(first.dir().resolve("run-2.cut").toString());
        assertThat(Json.mapper().readTree(first.file().toFile()).path("cutRuns").get(0).asText()).endsWith("run-2.cut");
    }

    @Test
    void aSoakGoesOnOnlyWithItsBuildItsSelectionAndRunsLeftToMake() throws IOException {
        SoakFile first = started(2);
        first.complete(finishedRun(first, "passed"), 1500, List.of());
        Path dir = first.dir();

        assertThatThrownBy(() -> SoakFile.resume(dir, "0.1.0-SNAPSHOT+fff9999", CELLS, 2, "later")).isInstanceOf(ConfigException.class)
                .hasMessage("soak --resume " + dir + ": its runs were judged by harness " + BUILD + ", this is 0.1.0-SNAPSHOT+fff9999; a soak"
                        + " compares runs of one build: resume it from a checkout of that commit, or start a new soak");
        assertThatThrownBy(() -> SoakFile.resume(dir, BUILD, Set.of("C.idAny[debian-12/vm]", "C.other[debian-12/vm]"), 2, "later"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("soak --resume " + dir + ": this selection plans 2 cells, the soak's runs 2 (new: C.other[debian-12/vm]); give its"
                        + " selection (--flavor debian-12 --lane vm) or none");
        assertThatThrownBy(() -> SoakFile.resume(dir, BUILD, CELLS, 1, "later")).isInstanceOf(ConfigException.class)
                .hasMessage("soak --resume " + dir + ": already 1 of 1 runs completed; pass --runs above 1 to go on");
        assertThatThrownBy(() -> SoakFile.resume(reports, BUILD, CELLS, 2, "later")).isInstanceOf(ConfigException.class)
                .hasMessage("soak --resume " + reports + ": no soak.json there (not a soak's directory, or no run of it completed)");
        assertThat(SoakFile.resume(dir, BUILD, CELLS, 2, "later").nextRun()).as("after all those refusals, still resumable").isEqualTo(2);
    }

    @Test
    void stopAfterStartsNoRunThatTheLongestRunSaysWouldEndPastTheLimit() throws IOException {
        SoakFile soak = started(20);
        assertThat(soak.wouldOverrun(0, 1)).as("a new soak's first run has nothing to go by").isNull();
        soak.complete(finishedRun(soak, "passed"), 1500, List.of());
        double longest = soak.longestRunSeconds();

        assertThat(soak.wouldOverrun(600 - longest, 10)).as("ends exactly at the limit").isNull();
        assertThat(soak.wouldOverrun(601 - longest, 10)).startsWith("--stop-after 10: the next run would end after 10 min");
        assertThat(soak.wouldOverrun(1e6, null)).as("no limit").isNull();
    }
}
