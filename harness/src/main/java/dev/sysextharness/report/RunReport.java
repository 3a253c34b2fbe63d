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
    private String harnessVersion = HarnessVersion.current();
    private final java.time.Instant started = java.time.Instant.now();
    private java.time.Instant finished;
    private PlanShard shard;
    private List<String> sourceOptions = List.of();
    private final java.util.Map<String, String> qualifiedClasses = new java.util.concurrent.ConcurrentHashMap<>();
    private List<String> mergedFrom = List.of();
    private Double wall;

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

    /**
     * The options that chose what this run's cells are about — {@code --extension X}, {@code --scenarios DIR} — as
     * given: part of every cell's repro command, and recorded in summary.json.
     */
    public RunReport sourceOptions(List<String> options) {
        this.sourceOptions = List.copyOf(options);
        return this;
    }

    /** Remembers the package of a scenario class this run met ({@code Outer$Inner} or {@code Simple} → fully qualified). */
    public void classMet(String qualifiedName) {
        qualifiedClasses.put(qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1), qualifiedName);
    }

    /** The fully qualified name of a scenario class this run met, by the name cells use. */
    public Optional<String> qualifiedClass(String simpleName) {
        return Optional.ofNullable(qualifiedClasses.get(simpleName));
    }

    public List<String> sourceOptions() {
        return sourceOptions;
    }

    /** This run is one shard of a plan (recorded in summary.json, checked by a merge). */
    public RunReport shard(PlanShard shard) {
        this.shard = shard;
        return this;
    }

    public Optional<PlanShard> shard() {
        return Optional.ofNullable(shard);
    }

    /**
     * This report merges the runs named (their ids), whose wall time was {@code wallSeconds} (the longest of them: they
     * ran side by side), not the merge's own.
     */
    public RunReport mergedFrom(List<String> runIds, double wallSeconds) {
        this.mergedFrom = List.copyOf(runIds);
        this.wall = wallSeconds;
        return this;
    }

    /** Wall time from this report's creation (the run's start) to its writing (the run's end). */
    public double wallSeconds() {
        if (wall != null) {
            return wall;
        }
        java.time.Instant end = finished != null ? finished : java.time.Instant.now();
        return java.time.Duration.between(started, end).toMillis() / 1000.0;
    }

    public java.time.Instant started() {
        return started;
    }

    /** A report of cells another harness judged (a merge of runs): that harness's version, not this one's. */
    public RunReport judgedBy(String version) {
        this.harnessVersion = version;
        return this;
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
    public synchronized void writeProgress() throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("summary.json"), summary(false));
    }

    /**
     * Writes summary.json ({@code "complete": true}), index.html and the JUnit XML under junit/, then points
     * {@code reports/latest} (the parent's "latest") here.
     */
    public synchronized void write() throws IOException {
        finished = java.time.Instant.now();
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("summary.json"), summary(true));
        writeAtomically(dir.resolve("index.html"), new MatrixPage(this).html());
        new JUnitXml(this, JUnitXml.localHostname()).writeTo(dir.resolve("junit"));
        pointLatestHere();
    }

    private String summary(boolean complete) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("run", runId).put("harnessVersion", harnessVersion)
                .put("complete", complete).put("wallSeconds", wallSeconds());
        if (finished != null) {
            root.put("finished", finished.toString());
        }
        if (!sourceOptions.isEmpty()) {
            ArrayNode options = root.putArray("sourceOptions");
            sourceOptions.forEach(options::add);
        }
        ArrayNode flavorNames = root.putArray("flavors");
        flavors.forEach(f -> flavorNames.add(f.name()));
        if (shard != null) {
            ObjectNode s = root.putObject("shard").put("index", shard.index()).put("count", shard.count()).put("plan", shard.plan());
            ArrayNode split = s.putArray("split");
            for (List<String> keys : shard.split()) {
                ArrayNode cells = split.addArray(); // a shard with no cells keeps its place
                keys.forEach(cells::add);
            }
        }
        if (!mergedFrom.isEmpty()) {
            ArrayNode from = root.putArray("mergedFrom");
            mergedFrom.forEach(from::add);
        }
        ArrayNode arr = root.putArray("results");
        for (ScenarioResult r : results()) {
            arr.addObject().put("flavor", r.flavor()).put("lane", r.lane()).put("scenario", r.scenario()).put("outcome", r.outcome().label())
                    .put("expected", r.expected()).put("observed", r.observed()).put("durationMs", r.durationMs())
                    .put("evidence", dir.relativize(Path.of(r.evidence()).toAbsolutePath()).toString())
                    .put("reboots", r.reboots()).put("start", r.start());
        }
        ArrayNode pending = root.putArray("pending");
        for (PlannedCell c : pending()) {
            pending.addObject().put("scenario", c.scenario()).put("flavor", c.flavor()).put("lane", c.lane()).put("key", c.key());
        }
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** Writes beside the target and renames over it, so that the file is always whole, old or new. */
    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** reports/latest → this run, replaced in one rename: shards finishing at once in one directory must not collide. */
    private void pointLatestHere() throws IOException {
        Path parent = dir.getParent();
        Path link = parent.resolve(".latest-" + runId);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, dir.getFileName());
        Files.move(link, parent.resolve("latest"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
