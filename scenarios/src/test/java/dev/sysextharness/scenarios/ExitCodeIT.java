package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.cli.ExitCodes;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.Json;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit code counts every cell. A cell that never ran — here because the run's session could not be made, as when
 * an unknown accelerator reached it before this was a usage error — is an error in the report and the counts, with
 * the cause; and a run in which every cell was skipped passes only when asked to.
 */
@Tag("host")
class ExitCodeIT {
    @TempDir
    Path tmp;

    @Test
    void cellsThatNeverRanAreErrorsWithTheirCause() throws Exception {
        var flavors = List.of(Workspace.locate(null).flavors().load("debian-12"));
        RunReport report = new ScenarioRun(flavors).scenarios("*idAnyMergesOnEveryHost")
                .parameter(RunConfiguration.ACCEL, "quantum")
                .execute("exit-codes", tmp.resolve("report"));

        assertThat(report.results()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(r.scenario()).isEqualTo("CompatibilityScenarios.idAnyMergesOnEveryHost");
            assertThat(r.observed()).isEqualTo("debian-12: did not run: sysext.accel: expected auto, kvm or tcg, got 'quantum'");
        });
        assertThat(report.count(Outcome.ERROR)).isEqualTo(1);
        assertThat(Files.readString(tmp.resolve("report/summary.json"))).contains("\"outcome\" : \"error\"");
    }

    /** Also the events file of {@code run --events}: run-start first, a cell-end per cell as summary.json has it, run-end last. */
    @Test
    void aRunWhoseCellsAreAllSkippedPassesOnlyWhenAllowed() throws Exception {
        Path events = tmp.resolve("events.jsonl");
        CliRun run = CliRun.of("run", "--flavor", "debian-12", "--scenario", "*mutableWritesLandInTheRoutingDir*",
                "--allow-all-skipped", "--report-dir", tmp.resolve("reports").toString(), "--events", events.toString());
        assertThat(run.exit()).as("output: %s%s", run.out(), run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("0 passed, 0 failed, 0 error, 1 skipped");

        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            lines.add(Json.mapper().readTree(line));
        }
        JsonNode summary = Json.mapper().readTree(Files.readString(tmp.resolve("reports/latest/summary.json")));
        assertThat(lines).as("events").isNotEmpty();
        assertThat(lines.get(0).get("event").asText()).as("first event").isEqualTo("run-start");
        assertThat(lines.get(0).get("harnessVersion").asText()).as("run-start's harnessVersion")
                .isEqualTo(summary.get("harnessVersion").asText()).startsWith("0.");
        assertThat(lines.get(lines.size() - 1).get("event").asText()).as("last event").isEqualTo("run-end");
        assertThat(lines.get(lines.size() - 1).get("exitCode").asInt()).as("run-end's exit code").isEqualTo(ExitCodes.OK);
        assertThat(summary.get("complete").asBoolean(false)).as("summary complete").isTrue();
        Map<String, String> ended = new java.util.TreeMap<>();
        lines.stream().filter(l -> l.get("event").asText().equals("cell-end")).forEach(l -> ended.put(l.get("key").asText(), l.get("outcome").asText()));
        Map<String, String> judged = new java.util.TreeMap<>();
        summary.get("results").forEach(r -> judged.put(r.get("scenario").asText() + "@" + r.get("flavor").asText() + "/" + r.get("lane").asText(),
                r.get("outcome").asText()));
        assertThat(ended).as("cell-end outcomes against summary.json").isEqualTo(judged).hasSize(1);
    }
}
