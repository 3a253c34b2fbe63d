package dev.sysextharness.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Json;
import java.io.IOException;
import java.nio.file.Files;
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
    /** A usage error (one line) when {@code runDir} has no readable summary.json. */
    public static FailedCells read(Path runDir) {
        Path summary = runDir.resolve("summary.json");
        if (!Files.isRegularFile(summary)) {
            throw new ConfigException(runDir + ": no summary.json here; give a run's report directory (reports/<run-id>)");
        }
        JsonNode results;
        try {
            results = Json.mapper().readTree(summary.toFile()).path("results");
        } catch (IOException e) {
            throw new ConfigException(summary + ": not readable as JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (!results.isArray()) {
            throw new ConfigException(summary + ": no 'results' array; not a run summary");
        }
        List<String> keys = new ArrayList<>();
        Set<String> flavors = new LinkedHashSet<>();
        Set<String> lanes = new LinkedHashSet<>();
        for (JsonNode r : results) {
            String outcome = r.path("outcome").asText();
            if (!outcome.equals(Outcome.FAILED.label()) && !outcome.equals(Outcome.ERROR.label())) {
                continue;
            }
            String scenario = r.path("scenario").asText();
            String flavor = r.path("flavor").asText();
            String lane = r.path("lane").asText();
            if (scenario.isEmpty() || flavor.isEmpty() || lane.isEmpty()) {
                throw new ConfigException(summary + ": a " + outcome + " result without scenario, flavor or lane: " + r);
            }
            keys.add(PlannedCell.key(scenario, flavor, lane));
            flavors.add(flavor);
            lanes.add(lane);
        }
        return new FailedCells(runDir, List.copyOf(keys), List.copyOf(flavors), List.copyOf(lanes));
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }
}
