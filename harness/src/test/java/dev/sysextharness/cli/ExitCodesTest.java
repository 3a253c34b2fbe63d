package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's exit code from its cells: every cell counts, and a run that judged nothing does not pass by default. */
class ExitCodesTest {
    private static RunReport report(String... outcomes) {
        RunReport r = new RunReport("t", Path.of("/tmp/t"), List.of());
        int i = 0;
        for (String o : outcomes) {
            r.add(new ScenarioResult("debian-12", "vm", "S.m" + i++, dev.sysextharness.report.Outcome.parse(o), "e", o.equals("skipped") ? "needs systemd >= 256" : "o", 1,
                    "/tmp/t/ev", 0, "restore"));
        }
        return r;
    }

    @Test
    void anErrorOutweighsAFailureWhichOutweighsPasses() {
        assertThat(ExitCodes.of(report("passed", "failed", "error", "skipped"), false)).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(ExitCodes.of(report("passed", "failed", "skipped"), false)).isEqualTo(ExitCodes.SCENARIO_FAILED);
        assertThat(ExitCodes.of(report("passed", "skipped"), false)).isEqualTo(ExitCodes.OK);
    }

    @Test
    void aRunThatJudgedNothingFailsUnlessAllowed() {
        assertThat(ExitCodes.of(report("skipped", "skipped"), false)).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(ExitCodes.of(report(), false)).as("no cell at all").isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(ExitCodes.of(report("skipped", "skipped"), true)).isEqualTo(ExitCodes.OK);
        assertThat(ExitCodes.nothingJudgedLine(report("skipped", "skipped")))
                .isEqualTo("error: no cell was judged: all 2 cells were skipped (first: needs systemd >= 256); pass"
                        + " --allow-all-skipped if that is what you want");
    }
}
