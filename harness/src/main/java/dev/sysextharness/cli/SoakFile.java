package dev.sysextharness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Json;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.RunSummary;
import dev.sysextharness.report.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A soak as {@code soak.json} holds it, run by run: the figures the note and CI read, and enough to continue the soak in
 * a later sitting ({@code soak --resume}) — which build judged it, which cells it selects, the cache size it started
 * from. A soak compares runs of one build over one selection; a sitting that would change either is refused.
 */
final class SoakFile {
    static final String NAME = "soak.json";

    /** One completed run's figures. */
    record Round(int index, Path report, double wallSeconds, long passed, long failed, long error, long skipped, long cacheBytes,
                 List<String> leftProcesses) {
        Round {
            leftProcesses = List.copyOf(leftProcesses);
        }

        static Round of(int index, RunReport report, long cacheBytes, List<String> leftProcesses) {
            return new Round(index, report.dir().toAbsolutePath(), report.wallSeconds(), report.count(Outcome.PASSED),
                    report.count(Outcome.FAILED), report.count(Outcome.ERROR), report.count(Outcome.SKIPPED), cacheBytes, leftProcesses);
        }

        int exitCode() {
            return ExitCodes.of(passed, failed, error, false);
        }

        long judged() {
            return passed + failed;
        }
    }

    /** A cell whose outcome differs from its outcome in an earlier run. */
    record Change(String cell, int firstRun, Outcome firstOutcome, String firstEvidence, int run, Outcome outcome, String evidence,
                  String observed) {
    }

    /** One sitting of the soak: when it started and how many runs were already complete then. */
    record Sitting(String started, int runsBefore) {
    }

    /** Each cell's first result, and every later result that differs from it. */
    static final class OutcomeHistory {
        private final Map<String, ScenarioResult> first = new LinkedHashMap<>();
        private final Map<String, Integer> firstRun = new LinkedHashMap<>();
        private final List<Change> changes = new ArrayList<>();

        /** Records run {@code run}; returns the changes it brought. */
        List<Change> record(int run, List<ScenarioResult> results) {
            List<Change> now = new ArrayList<>();
            for (ScenarioResult r : results) {
                String cell = r.scenario() + " [" + r.flavor() + "/" + r.lane() + "]";
                ScenarioResult earlier = first.putIfAbsent(cell, r);
                firstRun.putIfAbsent(cell, run);
                if (earlier != null && earlier.outcome() != r.outcome()) {
                    now.add(new Change(cell, firstRun.get(cell), earlier.outcome(), earlier.evidence(), run, r.outcome(), r.evidence(),
                            r.observed()));
                }
            }
            changes.addAll(now);
            return now;
        }

        List<Change> changes() {
            return List.copyOf(changes);
        }
    }

    private final Path dir;
    private final String harnessVersion;
    private final Set<String> cells;
    private final List<String> selection;
    private final long cacheBytesBefore;
    private final int runsAsked;
    private final List<Round> rounds = new ArrayList<>();
    private final List<String> cutRuns = new ArrayList<>();
    private final List<Sitting> sittings = new ArrayList<>();
    private final OutcomeHistory history = new OutcomeHistory();

    private SoakFile(Path dir, String harnessVersion, Set<String> cells, List<String> selection, long cacheBytesBefore, int runsAsked) {
        this.dir = dir;
        this.harnessVersion = harnessVersion;
        this.cells = new TreeSet<>(cells);
        this.selection = List.copyOf(selection);
        this.cacheBytesBefore = cacheBytesBefore;
        this.runsAsked = runsAsked;
    }

    /** A new soak in {@code dir} of the given build and planned cells (keys); written at once, so that even a sitting cut in its first run can be resumed. */
    static SoakFile start(Path dir, String harnessVersion, Set<String> cells, List<String> selection, long cacheBytesBefore,
                          int runsAsked, String now) throws IOException {
        SoakFile soak = new SoakFile(dir, harnessVersion, cells, selection, cacheBytesBefore, runsAsked);
        soak.sittings.add(new Sitting(now, 0));
        soak.write();
        return soak;
    }

    /**
     * The soak in {@code dir}, its completed runs' outcomes read back from their reports, ready to go on to
     * {@code runsAsked} runs with this build and these planned cells. One line naming the file and what differs when it
     * cannot: no soak there, another build, another selection, nothing left to run. A run a killed sitting left
     * incomplete is moved aside ({@code run-K.cut}, listed in the file) so that run K is made again whole.
     */
    static SoakFile resume(Path dir, String harnessVersion, Set<String> plannedCells, int runsAsked, String now) throws IOException {
        Path file = dir.resolve(NAME);
        JsonNode root = read(dir);
        String recorded = root.get("harnessVersion").asText();
        if (!recorded.equals(harnessVersion)) {
            throw new ConfigException("soak --resume " + dir + ": its runs were judged by harness " + recorded + ", this is " + harnessVersion
                    + "; a soak compares runs of one build: resume it from a checkout of that commit, or start a new soak");
        }
        Set<String> cells = new TreeSet<>();
        root.get("cells").forEach(c -> cells.add(c.asText()));
        List<String> selection = new ArrayList<>();
        root.path("selection").forEach(s -> selection.add(s.asText()));
        if (!cells.equals(new TreeSet<>(plannedCells))) {
            TreeSet<String> onlyNow = new TreeSet<>(plannedCells);
            onlyNow.removeAll(cells);
            TreeSet<String> onlyThen = new TreeSet<>(cells);
            onlyThen.removeAll(plannedCells);
            throw new ConfigException("soak --resume " + dir + ": this selection plans " + plannedCells.size() + " cells, the soak's runs "
                    + cells.size() + " (" + (onlyNow.isEmpty() ? "not planned now: " + onlyThen.first() : "new: " + onlyNow.first())
                    + "); give its selection (" + String.join(" ", selection) + ") or none");
        }
        SoakFile soak = new SoakFile(dir, recorded, cells, selection, root.path("cacheBytesBefore").asLong(0), runsAsked);
        for (JsonNode r : root.get("runs")) {
            List<String> left = new ArrayList<>();
            r.path("leftProcesses").forEach(p -> left.add(p.asText()));
            Round round = new Round(r.path("run").asInt(), Path.of(r.path("report").asText()), r.path("wallSeconds").asDouble(),
                    r.path("passed").asLong(), r.path("failed").asLong(), r.path("error").asLong(), r.path("skipped").asLong(),
                    r.path("cacheBytes").asLong(), left);
            if (round.index() != soak.rounds.size() + 1) {
                throw new ConfigException(file + ": run " + round.index() + " where run " + (soak.rounds.size() + 1) + " was expected");
            }
            soak.history.record(round.index(), RunSummary.read(round.report()).results());
            soak.rounds.add(round);
        }
        root.path("cutRuns").forEach(c -> soak.cutRuns.add(c.asText()));
        root.path("sittings").forEach(s -> soak.sittings.add(new Sitting(s.path("started").asText(), s.path("runsBefore").asInt())));
        if (soak.rounds.size() >= runsAsked) {
            throw new ConfigException("soak --resume " + dir + ": already " + soak.rounds.size() + " of " + runsAsked + " runs completed;"
                    + " pass --runs above " + soak.rounds.size() + " to go on");
        }
        soak.setAsideCutRun();
        soak.sittings.add(new Sitting(now, soak.rounds.size()));
        soak.write();
        return soak;
    }

    /** The selection the soak in {@code dir} recorded (as options); a usage error naming the file when there is none to resume. */
    static List<String> recordedSelection(Path dir) {
        List<String> selection = new ArrayList<>();
        read(dir).path("selection").forEach(s -> selection.add(s.asText()));
        return selection;
    }

    private static JsonNode read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("soak --resume " + dir + ": no " + NAME + " there (not a soak's directory, or no run of it completed)");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": not readable as JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.path("harnessVersion").isTextual() || !root.path("cells").isArray() || !root.path("runs").isArray()) {
            throw new ConfigException(file + ": no \"harnessVersion\", \"cells\" and \"runs\" (written by an older harness, or not a soak's"
                    + " figures): start a new soak");
        }
        return root;
    }

    /** Moves an incomplete next run's directory out of the way (run-K.cut, run-K.cut-2, ...), and lists it. */
    private void setAsideCutRun() {
        Path next = runDir(rounds.size() + 1);
        if (!Files.exists(next)) {
            return;
        }
        Path aside = dir.resolve(next.getFileName() + ".cut");
        for (int n = 2; Files.exists(aside); n++) {
            aside = dir.resolve(next.getFileName() + ".cut-" + n);
        }
        try {
            Files.move(next, aside);
        } catch (IOException e) {
            throw new ConfigException("soak --resume " + dir + ": cannot move the cut run " + next + " aside: " + e.getMessage(), e);
        }
        cutRuns.add(aside.toString());
    }

    Path dir() {
        return dir;
    }

    Path file() {
        return dir.resolve(NAME);
    }

    Path runDir(int run) {
        return dir.resolve("run-" + run);
    }

    /** The next run's number. */
    int nextRun() {
        return rounds.size() + 1;
    }

    int runsAsked() {
        return runsAsked;
    }

    List<String> selection() {
        return selection;
    }

    /** Records a completed run and returns the outcome changes it brought; the file is rewritten whole. */
    List<Change> complete(RunReport report, long cacheBytes, List<String> leftProcesses) throws IOException {
        Round round = Round.of(nextRun(), report, cacheBytes, leftProcesses);
        List<Change> now = history.record(round.index(), report.results());
        rounds.add(round);
        write();
        return now;
    }

    List<Round> rounds() {
        return List.copyOf(rounds);
    }

    List<Change> changes() {
        return history.changes();
    }

    List<String> cutRuns() {
        return List.copyOf(cutRuns);
    }

    long cacheBytesBefore() {
        return cacheBytesBefore;
    }

    /** Cache growth of run {@code index} (1-based) over the run before it, or over the soak's start. */
    long cacheGrowth(int index) {
        return rounds.get(index - 1).cacheBytes() - (index == 1 ? cacheBytesBefore : rounds.get(index - 2).cacheBytes());
    }

    long judged() {
        return rounds.stream().mapToLong(Round::judged).sum();
    }

    long processesLeft() {
        return rounds.stream().mapToLong(r -> r.leftProcesses().size()).sum();
    }

    /**
     * Why the next run is not started under {@code --stop-after minutes}, {@code elapsedSeconds} into the sitting: it would
     * end past the limit if it took as long as the longest run so far (a run takes about as long as the last ones; the
     * first run of a new soak, with nothing to go by, always starts). Null when it may start, or when no limit is set.
     */
    String wouldOverrun(double elapsedSeconds, Integer minutes) {
        double end = elapsedSeconds + longestRunSeconds();
        if (minutes == null || end <= minutes * 60.0) {
            return null;
        }
        return String.format("--stop-after %d: the next run would end after %.0f min of this sitting (longest run so far %.0f s)", minutes,
                end / 60, longestRunSeconds());
    }

    /** The longest run so far, in seconds; 0 before the first. */
    double longestRunSeconds() {
        return rounds.stream().mapToDouble(Round::wallSeconds).max().orElse(0);
    }

    /** Writes the figures beside the file and renames over it: a sitting killed mid-write leaves the last whole file. */
    private void write() throws IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("harnessVersion", harnessVersion).put("runsAsked", runsAsked)
                .put("runsCompleted", rounds.size()).put("cellsJudged", judged()).put("outcomeChangeCount", changes().size())
                .put("processesLeft", processesLeft()).put("cacheBytesBefore", cacheBytesBefore);
        ArrayNode sel = root.putArray("selection");
        selection.forEach(sel::add);
        ArrayNode cs = root.putArray("cells");
        cells.forEach(cs::add);
        ArrayNode rs = root.putArray("runs");
        for (Round r : rounds) {
            ObjectNode o = rs.addObject().put("run", r.index()).put("report", r.report().toString()).put("wallSeconds", r.wallSeconds())
                    .put("passed", r.passed()).put("failed", r.failed()).put("error", r.error()).put("skipped", r.skipped())
                    .put("exitCode", r.exitCode()).put("cacheBytes", r.cacheBytes()).put("cacheGrowthBytes", cacheGrowth(r.index()))
                    .put("processesLeft", r.leftProcesses().size());
            ArrayNode left = o.putArray("leftProcesses");
            r.leftProcesses().forEach(left::add);
        }
        ArrayNode changes = root.putArray("outcomeChanges");
        for (Change c : changes()) {
            changes.addObject().put("cell", c.cell()).put("firstRun", c.firstRun()).put("firstOutcome", c.firstOutcome().label())
                    .put("firstEvidence", c.firstEvidence()).put("run", c.run()).put("outcome", c.outcome().label())
                    .put("evidence", c.evidence()).put("observed", c.observed());
        }
        ArrayNode cut = root.putArray("cutRuns");
        cutRuns.forEach(cut::add);
        ArrayNode st = root.putArray("sittings");
        sittings.forEach(s -> st.addObject().put("started", s.started()).put("runsBefore", s.runsBefore()));
        Files.createDirectories(dir);
        Path tmp = dir.resolve(NAME + ".tmp");
        Files.writeString(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.move(tmp, dir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
