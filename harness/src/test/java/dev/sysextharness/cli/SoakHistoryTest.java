package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's judgement: a cell whose outcome differs from its first run's is a change, reported with both runs' evidence. */
class SoakHistoryTest {
    private static RunReport run(int n, String idAnyOutcome) {
        RunReport r = new RunReport("soak-" + n, Path.of("/r/run-" + n), List.of());
        r.add(new ScenarioResult("debian-12", "vm", "C.idAny", dev.sysextharness.report.Outcome.parse(idAnyOutcome), "merged", "seen " + n, 1, "/r/run-" + n + "/ev/idAny", 0,
                "restore"));
        r.add(new ScenarioResult("debian-12", "vm", "C.layout", dev.sysextharness.report.Outcome.PASSED, "layout", "seen", 1, "/r/run-" + n + "/ev/layout", 0,
                "restore"));
        return r;
    }

    @Test
    void aCellThatChangesIsReportedWithBothRunsEvidence() {
        SoakCommand.OutcomeHistory history = new SoakCommand.OutcomeHistory();
        assertThat(history.record(1, run(1, "passed"))).isEmpty();
        assertThat(history.record(2, run(2, "passed"))).isEmpty();

        assertThat(history.record(3, run(3, "failed"))).singleElement().satisfies(c -> {
            assertThat(c.cell()).isEqualTo("C.idAny [debian-12/vm]");
            assertThat(c.firstRun()).isEqualTo(1);
            assertThat(c.firstOutcome().label()).isEqualTo("passed");
            assertThat(c.firstEvidence()).isEqualTo("/r/run-1/ev/idAny");
            assertThat(c.run()).isEqualTo(3);
            assertThat(c.outcome().label()).isEqualTo("failed");
            assertThat(c.evidence()).isEqualTo("/r/run-3/ev/idAny");
            assertThat(c.observed()).isEqualTo("seen 3");
        });
        assertThat(history.record(4, run(4, "passed"))).as("back to its first outcome").isEmpty();
        assertThat(history.changes()).hasSize(1);
    }
}
