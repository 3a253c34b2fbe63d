package dev.sysextharness.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.jupiter.api.io.TempDir;

/** summary.json is rewritten as cells finish: mid-run it says it is incomplete and lists the cells still to come. */
class PartialSummaryTest {
    @TempDir
    Path tmp;

    private static final List<PlannedCell> PLAN = List.of(
            new PlannedCell("MergeScenarios.a", "debian-12", "vm", null, "[t:a]"),
            new PlannedCell("MergeScenarios.b", "debian-12", "vm", null, "[t:b]"),
            new PlannedCell("MergeScenarios.b", "debian-13", "container", null, "[t:b]"));

    private ScenarioResult passed(PlannedCell c) {
        return new ScenarioResult(c.flavor(), c.lane(), c.scenario(), Outcome.PASSED, "merged", "merged", 10,
                tmp.resolve("run/evidence/" + c.flavor()).toString(), 0, "restore");
    }

    private JsonNode summary() throws Exception {
        return Json.mapper().readTree(Files.readString(tmp.resolve("run/summary.json")));
    }

    @Test
    void aReportWrittenMidRunIsIncompleteAndListsItsPendingCells() throws Exception {
        RunReport report = new RunReport("run", tmp.resolve("run"), List.of()).plan(PLAN);
        report.add(passed(PLAN.get(1)));

        report.writeProgress();

        JsonNode mid = summary();
        assertThat(mid.get("complete").asBoolean(true)).as("complete mid-run").isFalse();
        assertThat(mid.get("results")).as("results mid-run").extracting(r -> r.get("scenario").asText() + "@" + r.get("flavor").asText())
                .containsExactly("MergeScenarios.b@debian-12");
        assertThat(mid.get("pending")).as("pending mid-run, in plan order").extracting(p -> p.get("key").asText())
                .containsExactly("MergeScenarios.a@debian-12/vm", "MergeScenarios.b@debian-13/container");
        assertThat(mid.get("pending").get(1).get("lane").asText()).as("a pending cell's lane").isEqualTo("container");
        assertThat(mid.get("harnessVersion").asText()).as("harnessVersion: the Maven version, then the commit if any")
                .matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+[0-9a-f]{4,40})?");
        assertThat(Files.exists(tmp.resolve("run/index.html"))).as("index.html mid-run (only the final write makes it)").isFalse();

        report.add(passed(PLAN.get(0)));
        report.add(passed(PLAN.get(2)));
        report.write();

        JsonNode done = summary();
        assertThat(done.get("complete").asBoolean(false)).as("complete at the end").isTrue();
        assertThat(done.get("pending")).as("pending at the end").isEmpty();
        assertThat(done.get("results")).as("results at the end").hasSize(3);
        assertThat(done.get("results").get(0).get("outcome").asText()).as("the existing fields stay").isEqualTo("passed");
        try (var files = Files.list(tmp.resolve("run"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file is left").noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /** The run's listener writes the summary when the run starts (all pending) and again after each cell. */
    @Test
    void theListenerRewritesTheSummaryAtTheStartAndAfterEveryCell() throws Exception {
        RunReport report = new RunReport("run", tmp.resolve("run"), List.of());
        ReportListener listener = new ReportListener(report, dev.sysextharness.host.Progress.silent(), PLAN);

        listener.testPlanExecutionStarted(null);
        assertThat(summary().get("pending")).as("pending before any cell").hasSize(3);
        assertThat(summary().get("complete").asBoolean(true)).as("complete before any cell").isFalse();

        UniqueId uid = UniqueId.forEngine("junit-jupiter").append("class", "dev.sysextharness.scenarios.MergeScenarios")
                .append("test-template", "b()").append("test-template-invocation", "#2");
        TestDescriptor invocation = new AbstractTestDescriptor(uid, "[debian-13/container]") {
            @Override
            public Type getType() {
                return Type.TEST;
            }
        };
        listener.executionSkipped(TestIdentifier.from(invocation), "no container image for debian-13");

        JsonNode after = summary();
        assertThat(after.get("results")).as("results after one cell").extracting(r -> r.get("outcome").asText() + " " + r.get("lane").asText())
                .containsExactly("skipped container");
        assertThat(after.get("pending")).as("pending after one cell").extracting(p -> p.get("key").asText())
                .containsExactly("MergeScenarios.a@debian-12/vm", "MergeScenarios.b@debian-12/vm");
    }
}
