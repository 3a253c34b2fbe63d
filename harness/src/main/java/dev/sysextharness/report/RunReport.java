package dev.sysextharness.report;

import dev.sysextharness.host.HarnessVersion;
import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.Flavor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A run's results and the files made from them: summary.json, index.html, junit/*.xml and the reports/latest link. */
public final class RunReport {
    private final String runId;
    private final Path dir;
    private final List<Flavor> flavors;
    private final List<ScenarioResult> results = new ArrayList<>();
    private final List<PlannedCell> planned = new ArrayList<>();
    private final String harnessVersion = HarnessVersion.current();
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

    /** Wall time from this report's creation (the run's start) to its writing (the run's end). */
    public double wallSeconds() {
        java.time.Instant end = finished != null ? finished : java.time.Instant.now();
        return java.time.Duration.between(started, end).toMillis() / 1000.0;
    }

    public java.time.Instant started() {
        return started;
    }

    /** The harness that judged this run ({@link HarnessVersion}). */
    public String harnessVersion() {
        return harnessVersion;
    }

    /** The cells this run will judge: those without a result yet are listed as pending while it runs. */
    public synchronized RunReport plan(List<PlannedCell> cells) {
        planned.clear();
        planned.addAll(cells);
        return this;
    }

    public synchronized List<PlannedCell> planned() {
        return List.copyOf(planned);
    }

    /** Planned cells without a result yet, in plan order. */
    public synchronized List<PlannedCell> pending() {
        return planned.stream().filter(c -> results.stream().noneMatch(c::sameCell)).toList();
    }

    /**
     * Rewrites summary.json as it stands mid-run ({@code "complete": false}, the cells not yet judged as pending), so
     * that a run killed half-way still leaves what it judged. Replaces the file atomically: a reader never sees half.
     */
    public void writeProgress() throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("summary.json"), summary(false));
    }

    /**
     * Writes summary.json ({@code "complete": true}), index.html and the JUnit XML under junit/, then points
     * {@code reports/latest} (the parent's "latest") here.
     */
    public void write() throws IOException {
        finished = java.time.Instant.now();
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("summary.json"), summary(true));
        writeAtomically(dir.resolve("index.html"), new MatrixPage(this).html());
        new JUnitXml(this, JUnitXml.localHostname()).writeTo(dir.resolve("junit"));
        Path latest = dir.getParent().resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, dir.getFileName());
    }

    private String summary(boolean complete) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("run", runId).put("harnessVersion", harnessVersion)
                .put("complete", complete).put("wallSeconds", wallSeconds());
        ArrayNode arr = root.putArray("results");
        for (ScenarioResult r : results()) {
            arr.addObject().put("flavor", r.flavor()).put("lane", r.lane()).put("scenario", r.scenario()).put("outcome", r.outcome().label())
                    .put("expected", r.expected()).put("observed", r.observed()).put("durationMs", r.durationMs())
                    .put("evidence", dir.relativize(Path.of(r.evidence()).toAbsolutePath()).toString());
        }
        ArrayNode pending = root.putArray("pending");
        for (PlannedCell c : pending()) {
            pending.addObject().put("scenario", c.scenario()).put("flavor", c.flavor()).put("lane", c.lane()).put("key", c.key());
        }
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** Writes beside the target and renames over it, so that the file is always whole, old or new. */
    private static synchronized void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
