package dev.sysextharness.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run --events: one JSON object per line, flushed as written, in the order the run lived it. */
class RunEventsTest {
    @TempDir
    Path tmp;

    private List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            events.add(Json.mapper().readTree(line)); // each line alone is one JSON object
        }
        return events;
    }

    @Test
    void eventsAreLinesInRunOrderEachCellEndAfterItsStart() throws Exception {
        Path repo = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath();
        var flavor = new Flavors(repo.resolve("vm-configs")).load("debian-12");
        Path dir = tmp.resolve("run");
        RunReport report = new RunReport("run-7", dir, List.of(flavor)).plan(List.of(
                new PlannedCell("MergeScenarios.a", "debian-12", "vm", null, "[t:a]"),
                new PlannedCell("MergeScenarios.b", "debian-12", "container", "no .raw in containers", "[t:b]")));
        Path file = tmp.resolve("events.jsonl");
        try (RunEvents events = RunEvents.to(file)) {
            events.runStart(report);
            events.cellStart("MergeScenarios.a", "debian-12", "vm");
            assertThat(lines(file)).as("written before close: flushed per line").hasSize(2);
            ScenarioResult a = new ScenarioResult("debian-12", "vm", "MergeScenarios.a", Outcome.FAILED, "merged",
                    "not merged" + ScenarioResult.SEEN + "unit failed", 1234, dir.resolve("evidence/a").toString(), 0, "restore");
            report.add(a);
            events.cellEnd(a, dir);
            // JUnit skips this one without starting it: its start is written with its end
            ScenarioResult b = new ScenarioResult("debian-12", "container", "MergeScenarios.b", Outcome.SKIPPED, "(not applicable)",
                    "no .raw in containers", 0, dir.toString(), 0, "no node");
            report.add(b);
            events.cellEnd(b, dir);
            events.runEnd(report, 1);
        }

        List<JsonNode> events = lines(file);
        assertThat(events).as("event names in order").extracting(e -> e.get("event").asText())
                .containsExactly("run-start", "cell-start", "cell-end", "cell-start", "cell-end", "run-end");
        assertThat(events).as("every event has a time").allSatisfy(e -> assertThat(e.get("time").asText()).matches("\\d{4}-.*Z"));
        JsonNode start = events.get(0);
        assertThat(start.get("run").asText()).as("run").isEqualTo("run-7");
        assertThat(start.get("harnessVersion").asText()).as("harnessVersion").isEqualTo(report.harnessVersion()).isNotBlank();
        assertThat(start.get("flavors").get(0).get("name").asText()).as("flavor name").isEqualTo("debian-12");
        assertThat(start.get("flavors").get(0).get("systemd").asInt()).as("flavor systemd").isEqualTo(252);
        assertThat(start.get("lanes")).as("lanes").extracting(JsonNode::asText).containsExactly("vm", "container");
        assertThat(start.get("cells").asInt()).as("cells").isEqualTo(2);

        JsonNode cellStart = events.get(1);
        assertThat(List.of(cellStart.get("scenario").asText(), cellStart.get("flavor").asText(), cellStart.get("lane").asText(),
                cellStart.get("key").asText())).as("cell-start fields")
                .containsExactly("MergeScenarios.a", "debian-12", "vm", "MergeScenarios.a@debian-12/vm");
        JsonNode end = events.get(2);
        assertThat(end.get("key").asText()).as("cell-end key").isEqualTo("MergeScenarios.a@debian-12/vm");
        assertThat(end.get("outcome").asText()).as("outcome").isEqualTo("failed");
        assertThat(end.get("durationMs").asLong()).as("durationMs").isEqualTo(1234);
        assertThat(end.get("evidence").asText()).as("evidence, relative to the report").isEqualTo("evidence/a");
        assertThat(end.get("headline").asText()).as("headline, without the seen facts").isEqualTo("not merged");
        assertThat(events.get(3).get("key").asText()).as("the skipped cell's start").isEqualTo("MergeScenarios.b@debian-12/container");
        assertThat(events.get(4).get("outcome").asText()).as("the skipped cell's outcome").isEqualTo("skipped");

        JsonNode runEnd = events.get(5);
        assertThat(runEnd.get("counts").get("failed").asInt()).as("failed count").isEqualTo(1);
        assertThat(runEnd.get("counts").get("skipped").asInt()).as("skipped count").isEqualTo(1);
        assertThat(runEnd.get("counts").get("passed").asInt()).as("passed count").isZero();
        assertThat(runEnd.get("exitCode").asInt()).as("exit code").isEqualTo(1);
        assertThat(runEnd.get("wallSeconds").isNumber()).as("wallSeconds is a number").isTrue();
    }

    @Test
    void noEventsWritesNothingAndAnUnknownExitCodeIsNull() throws Exception {
        RunReport report = new RunReport("r", tmp.resolve("r"), List.of());
        try (RunEvents none = RunEvents.none()) {
            none.runStart(report);
            none.runEnd(report, null);
        }
        assertThat(tmp.resolve("r")).as("nothing written without a file").doesNotExist();
        Path file = tmp.resolve("e.jsonl");
        try (RunEvents events = RunEvents.to(file)) {
            events.runEnd(report, null);
        }
        assertThat(lines(file).get(0).get("exitCode").isNull()).as("exitCode when unknown").isTrue();
    }

    @Test
    void aRunThatRanNothingOrFailedEndsItsEventsWithThatAndNotWithAnEarlierRunsEvents() throws Exception {
        Path file = tmp.resolve("events.jsonl");
        Files.writeString(file, "{\"event\":\"run-end\",\"exitCode\":1}\n"); // an earlier run's

        RunEvents.nothingRan(file, "nothing to rerun");
        assertThat(lines(file)).as("only this run's end").singleElement().satisfies(e -> {
            assertThat(e.get("event").asText()).isEqualTo("run-end");
            assertThat(e.get("nothingRan").asText()).isEqualTo("nothing to rerun");
            assertThat(e.get("exitCode").asInt()).isZero();
        });

        try (RunEvents events = RunEvents.to(file)) {
            events.runFailed(new IllegalStateException("no Docker engine\nsecond line"), 3);
        }
        assertThat(lines(file)).singleElement().satisfies(e -> {
            assertThat(e.get("error").asText()).as("the cause's first line").isEqualTo("no Docker engine");
            assertThat(e.get("exitCode").asInt()).isEqualTo(3);
        });
    }
}
