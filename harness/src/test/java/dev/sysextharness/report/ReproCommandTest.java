package dev.sysextharness.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A cell's repro command selects that cell again: with the run's --extension and --scenarios, quoted for a shell. */
class ReproCommandTest {
    private static final ScenarioResult CELL = new ScenarioResult("debian-13", "vm", "CertificationScenarios.yourRawImageInVarLibExtensions",
            Outcome.FAILED, "e", "o", 1000, "/tmp/e", 0, "restore");

    @Test
    void aBuiltInCellNeedsOnlyItsFlavorScenarioAndLane() {
        assertThat(MatrixPage.reproCommand(CELL, List.of())).isEqualTo("harness/bin/sysext-harness run --flavor debian-13"
                + " --scenario CertificationScenarios.yourRawImageInVarLibExtensions --lane vm --keep");
    }

    @Test
    void aCertificationOrAuthorsCellCarriesTheRunsSourceOptionsQuoted() {
        assertThat(MatrixPage.reproCommand(CELL, List.of("--extension", "/home/me/my ext's/tools.raw", "--scenarios", "target/test-classes")))
                .isEqualTo("harness/bin/sysext-harness run --extension '/home/me/my ext'\\''s/tools.raw' --scenarios target/test-classes"
                        + " --flavor debian-13 --scenario CertificationScenarios.yourRawImageInVarLibExtensions --lane vm --keep");
    }
}
