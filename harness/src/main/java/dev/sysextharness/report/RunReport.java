package dev.sysextharness.report;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.Flavor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A run's results and the files made from them: summary.json, index.html, and the reports/latest link. */
public final class RunReport {
    private final String runId;
    private final Path dir;
    private final List<Flavor> flavors;
    private final List<ScenarioResult> results = new ArrayList<>();
    private final java.time.Instant started = java.time.Instant.now();
    private java.time.Instant finished;

    public RunReport(String runId, Path dir, List<Flavor> flavors) {
        this.runId = runId;
        this.dir = dir;
        this.flavors = List.copyOf(flavors);
    }

    public Path dir() {
        return dir;
    }

    public synchronized void add(ScenarioResult r) {
        results.add(r);
    }

    public synchronized List<ScenarioResult> results() {
        return List.copyOf(results);
    }

    public long count(Outcome outcome) {
        return results().stream().filter(r -> r.outcome() == outcome).count();
    }

    public Optional<ScenarioResult> cell(String scenario, String flavor, String lane) {
        return results().stream().filter(r -> r.scenario().equals(scenario) && r.flavor().equals(flavor) && r.lane().equals(lane))
                .findFirst();
    }

    /** The lanes that have results, VM first. */
    public List<String> lanes() {
        return results().stream().map(ScenarioResult::lane).distinct()
                .sorted((a, b) -> a.equals("vm") ? -1 : b.equals("vm") ? 1 : a.compareTo(b)).toList();
    }

    public Set<String> scenarios() {
        Set<String> names = new LinkedHashSet<>();
        results().forEach(r -> names.add(r.scenario()));
        return names;
    }

    public List<Flavor> flavors() {
        return flavors;
    }

    public String runId() {
        return runId;
    }

    /** Writes summary.json and index.html, then points {@code reports/latest} (the parent's "latest") here. */
    /** Wall time from this report's creation (the run's start) to its writing (the run's end). */
    public double wallSeconds() {
        java.time.Instant end = finished != null ? finished : java.time.Instant.now();
        return java.time.Duration.between(started, end).toMillis() / 1000.0;
    }

    public void write() throws IOException {
        finished = java.time.Instant.now();
        Files.createDirectories(dir);
        ObjectNode root = Json.mapper().createObjectNode().put("run", runId).put("wallSeconds", wallSeconds());
        ArrayNode arr = root.putArray("results");
        for (ScenarioResult r : results()) {
            arr.addObject().put("flavor", r.flavor()).put("lane", r.lane()).put("scenario", r.scenario()).put("outcome", r.outcome().label())
                    .put("expected", r.expected()).put("observed", r.observed()).put("durationMs", r.durationMs())
                    .put("evidence", dir.relativize(Path.of(r.evidence()).toAbsolutePath()).toString());
        }
        Files.writeString(dir.resolve("summary.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.writeString(dir.resolve("index.html"), new MatrixPage(this).html());
        Path latest = dir.getParent().resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, dir.getFileName());
    }
}
