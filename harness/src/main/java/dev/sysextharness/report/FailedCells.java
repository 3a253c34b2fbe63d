package dev.sysextharness.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cells that failed or erred in an earlier run, read from its {@code summary.json}: what {@code run --rerun-failed}
 * runs again. {@code keys} are {@link PlannedCell#key()}s, in the order the run reported them.
 */
public record FailedCells(Path runDir, List<String> keys, List<String> flavors, List<String> lanes) {
    /** A usage error (one line) when {@code runDir} has no readable summary.json ({@link RunSummary#read}). */
    public static FailedCells read(Path runDir) {
        List<String> keys = new ArrayList<>();
        Set<String> flavors = new LinkedHashSet<>();
        Set<String> lanes = new LinkedHashSet<>();
        RunSummary run = RunSummary.read(runDir);
        for (String key : run.pending()) { // a killed run's unjudged cells are to be run again too
            keys.add(key);
            flavors.add(key.substring(key.indexOf('@') + 1, key.lastIndexOf('/')));
            lanes.add(key.substring(key.lastIndexOf('/') + 1));
        }
        for (ScenarioResult r : run.results()) {
            if (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR) {
                keys.add(r.key());
                flavors.add(r.flavor());
                lanes.add(r.lane());
            }
        }
        return new FailedCells(runDir, List.copyOf(keys), List.copyOf(flavors), List.copyOf(lanes));
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }
}
