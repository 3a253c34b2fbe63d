package dev.sysextharness.cli;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;

/** The harness's exit codes, the same for every command. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int SCENARIO_FAILED = 1;
    public static final int USAGE = 2;
    public static final int INFRASTRUCTURE = 3;

    private ExitCodes() {
    }

    /**
     * What a run's cells add up to, counting every cell: 3 if any erred (the harness could not judge it), else 1 if any
     * failed, else 3 if none was judged at all (every cell skipped) unless {@code allowAllSkipped}, else 0.
     */
    public static int of(RunReport report, boolean allowAllSkipped) {
        return of(report.count(Outcome.PASSED), report.count(Outcome.FAILED), report.count(Outcome.ERROR), allowAllSkipped);
    }

    /** The same from a run's counts (skipped cells are the rest). */
    static int of(long passed, long failed, long error, boolean allowAllSkipped) {
        if (error > 0) {
            return INFRASTRUCTURE;
        }
        if (failed > 0) {
            return SCENARIO_FAILED;
        }
        return passed == 0 && !allowAllSkipped ? INFRASTRUCTURE : OK;
    }

    static boolean nothingJudged(RunReport report) {
        return report.count(Outcome.PASSED) + report.count(Outcome.FAILED) + report.count(Outcome.ERROR) == 0;
    }

    /** The one line for a run that judged nothing. */
    static String nothingJudgedLine(RunReport report) {
        String first = report.results().stream().map(ScenarioResult::observed).findFirst().orElse("nothing was selected");
        return "error: no cell was judged: all " + report.results().size() + " cells were skipped (first: " + first
                + "); pass --allow-all-skipped if that is what you want";
    }
}
