package dev.sysextharness.cli;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.report.FailedCells;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --rerun-failed [RUN_DIR]}: only the cells that failed or erred in an earlier run (default: the latest). */
final class RerunOption {
    /** What picocli passes when the option has no value: the workspace's reports/latest. */
    private static final String LATEST = "\u0000latest";

    @Option(names = "--rerun-failed", arity = "0..1", fallbackValue = LATEST, paramLabel = "RUN_DIR",
            description = "Only the cells that failed or erred in that run's summary.json (default: reports/latest), on their"
                    + " flavors and lanes unless --flavor/--lane say otherwise; --flavor and --scenario narrow further.")
    String runDir;

    /**
     * Narrows {@code selection} to the failed cells of the run named (without a value: {@code reportsDir/latest}).
     * False, with one line saying so, when that run has none: there is nothing to do. A directory without
     * summary.json is a usage error.
     */
    boolean narrow(SelectionOptions selection, Path reportsDir) {
        if (runDir == null) {
            return true;
        }
        FailedCells failed = failedCells(reportsDir);
        if (failed.isEmpty()) {
            System.out.println("nothing to rerun: no cell failed or erred in " + failed.runDir().resolve("summary.json"));
            return false;
        }
        selection.rerunning(failed);
        return true;
    }

    private FailedCells failedCells(Path reportsDir) {
        Path dir = runDir.equals(LATEST) ? reportsDir.resolve("latest") : Path.of(runDir);
        try {
            return FailedCells.read(dir);
        } catch (ConfigException e) {
            throw new ConfigException("--rerun-failed " + e.getMessage(), e);
        }
    }
}
