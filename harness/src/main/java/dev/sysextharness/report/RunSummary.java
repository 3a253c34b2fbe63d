package dev.sysextharness.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * A finished run read back from its summary.json: what a merge combines and what shards learn cell durations from.
 * Evidence paths are absolute (resolved against the run's directory). Fields older runs do not have read as: harness
 * version "unknown", complete, not a shard, reboots 0, start "".
 */
public record RunSummary(Path dir, String runId, String harnessVersion, boolean complete, Optional<PlanShard> shard,
                         List<String> flavors, List<ScenarioResult> results, double wallSeconds, Instant finished,
                         List<String> pending, boolean merged, List<String> sourceOptions) {
    public static final String UNKNOWN_VERSION = "unknown";

    public RunSummary {
        flavors = List.copyOf(flavors);
        results = List.copyOf(results);
        pending = List.copyOf(pending);
        sourceOptions = List.copyOf(sourceOptions);
    }

    /** Reads {@code dir}/summary.json; a directory without one, or one that is not a summary, is a usage error naming it. */
    public static RunSummary read(Path dir) {
        Path file = dir.resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(dir + ": no summary.json (not a run's report directory, or the run never finished)");
        }
        JsonNode root;
        try {
            dir = dir.toRealPath(); // reports/latest and the directory it points to are one run
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": not readable as JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.path("run").isTextual() || !root.path("results").isArray()) {
            throw new ConfigException(file + ": not a run summary (no \"run\" or \"results\")");
        }
        List<ScenarioResult> results = new ArrayList<>();
        for (JsonNode r : root.path("results")) {
            String outcome = r.path("outcome").asText();
            Outcome parsed;
            try {
                parsed = Outcome.parse(outcome);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": unknown outcome '" + outcome + "'");
            }
            results.add(new ScenarioResult(r.path("flavor").asText(), r.path("lane").asText("vm"), r.path("scenario").asText(), parsed,
                    r.path("expected").asText(""), r.path("observed").asText(""), r.path("durationMs").asLong(0),
                    dir.resolve(r.path("evidence").asText("")).toAbsolutePath().normalize().toString(), r.path("reboots").asInt(0),
                    r.path("start").asText("")));
        }
        LinkedHashSet<String> flavors = new LinkedHashSet<>();
        root.path("flavors").forEach(f -> flavors.add(f.asText()));
        results.forEach(r -> flavors.add(r.flavor()));
        Optional<PlanShard> shard = Optional.empty();
        JsonNode s = root.path("shard");
        if (s.isObject()) {
            List<List<String>> split = new ArrayList<>();
            s.path("split").forEach(cells -> {
                List<String> keys = new ArrayList<>();
                cells.forEach(k -> keys.add(k.asText()));
                split.add(keys);
            });
            shard = Optional.of(new PlanShard(s.path("index").asInt(), s.path("count").asInt(), s.path("plan").asText(), split));
        }
        Instant finished;
        try {
            finished = root.hasNonNull("finished") ? Instant.parse(root.get("finished").asText())
                    : Files.getLastModifiedTime(file).toInstant();
        } catch (IOException | java.time.format.DateTimeParseException e) {
            throw new ConfigException(file + ": unreadable \"finished\" time: " + e.getMessage());
        }
        return new RunSummary(dir.toAbsolutePath().normalize(), root.get("run").asText(),
                root.path("harnessVersion").asText(UNKNOWN_VERSION), root.path("complete").asBoolean(true), shard,
                List.copyOf(flavors), results, root.path("wallSeconds").asDouble(0), finished, pendingKeys(root),
                root.path("mergedFrom").isArray(), texts(root.path("sourceOptions")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The cells a killed run had planned and not judged (its summary's "pending"), as keys. */
    private static List<String> pendingKeys(JsonNode root) {
        List<String> keys = new ArrayList<>();
        root.path("pending").forEach(p -> keys.add(p.hasNonNull("key") ? p.get("key").asText()
                : PlannedCell.key(p.path("scenario").asText(), p.path("flavor").asText(), p.path("lane").asText("vm"))));
        return keys;
    }
}
