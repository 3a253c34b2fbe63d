package dev.sysextharness.report;

import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Turns the scenario extension's report entries into {@link ScenarioResult}s and shows progress as scenarios run.
 * Every planned cell ends in the report: a cell that ended before publishing its entry gets one from JUnit's own
 * result, and a cell JUnit never ran (its class or test template failed before it) is an error whose cause is that
 * failure — never a silent gap that an exit code could miss.
 */
public final class ReportListener implements TestExecutionListener {
    private final RunReport report;
    private final Progress progress;
    private final List<PlannedCell> planned;
    private final RunEvents events;
    private final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();
    /** Containers (engine, class, template) that failed, by unique id, with their failure's first line. */
    private final Map<String, String> failedContainers = new ConcurrentHashMap<>();

    public ReportListener(RunReport report, Progress progress, List<PlannedCell> planned) {
        this(report, progress, planned, RunEvents.none());
    }

    /**
     * Also writes the run's {@link RunEvents}, and rewrites summary.json after every cell (with the cells not yet
     * judged as pending), so that a run that is killed leaves what it judged so far.
     */
    public ReportListener(RunReport report, Progress progress, List<PlannedCell> planned, RunEvents events) {
        this.report = report.plan(planned);
        this.progress = progress;
        this.planned = List.copyOf(planned);
        this.events = events;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        events.runStart(report);
        writeProgress();
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
            progress.step("▶ " + name(id));
            met(id);
            events.cellStart(scenarioOf(id), flavorOf(id), laneOf(id));
        }
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        if (entry.getKeyValuePairs().containsKey("outcome")) {
            entries.put(id.getUniqueId(), entry.getKeyValuePairs());
        }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            met(id);
            add(new ScenarioResult(flavorOf(id), laneOf(id), scenarioOf(id), Outcome.SKIPPED, "(not applicable)", reason, 0,
                    report.dir().toString(), 0, "no node"));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            result.getThrowable().filter(t -> result.getStatus() != TestExecutionResult.Status.SUCCESSFUL).ifPresent(t -> {
                failedContainers.put(id.getUniqueId(), Outcome.firstLine(t));
                progress.step("✖ " + id.getDisplayName() + ": " + Outcome.firstLine(t));
            });
            return;
        }
        Map<String, String> e = entries.get(id.getUniqueId());
        if (e != null) {
            add(new ScenarioResult(e.get("flavor"), e.getOrDefault("lane", "vm"), e.get("scenario"), Outcome.parse(e.get("outcome")), e.get("expected"),
                    e.get("observed"), Long.parseLong(e.get("durationMs")), e.get("evidence"), Integer.parseInt(e.getOrDefault("reboots", "0")),
                    e.getOrDefault("start", "no node")));
            return;
        }
        Throwable failure = result.getThrowable().orElse(null);
        Outcome outcome = result.getStatus() == TestExecutionResult.Status.ABORTED ? Outcome.SKIPPED : Outcome.of(failure);
        String observed = failure == null ? "ended without a result from the harness" : flavorOf(id) + ": " + Outcome.firstLine(failure);
        add(new ScenarioResult(flavorOf(id), laneOf(id), scenarioOf(id), outcome == Outcome.PASSED ? Outcome.ERROR : outcome,
                "(not declared)", observed, 0, report.dir().toString(), 0, "no node"));
    }

    /** Planned cells that never reached the report are errors, with the failure of the nearest container above them. */
    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        for (PlannedCell cell : planned) {
            if (report.results().stream().noneMatch(cell::sameCell)) {
                String cause = failedContainers.entrySet().stream().filter(f -> cell.templateId().startsWith(f.getKey()))
                        .max(Comparator.comparingInt(f -> f.getKey().length())).map(Map.Entry::getValue)
                        .orElse("JUnit never ran it and reported no failure");
                add(new ScenarioResult(cell.flavor(), cell.lane(), cell.scenario(), Outcome.ERROR, "(not declared)",
                        cell.flavor() + ": did not run: " + cause, 0, report.dir().toString(), 0, "no node"));
            }
        }
    }

    private void add(ScenarioResult r) {
        report.add(r);
        try {
            events.cellEnd(r, report.dir());
        } catch (RuntimeException e) {
            // the cell is in the report whatever happens to the events file (JUnit would swallow this and lose the rest)
            progress.step("events: " + e.getMessage());
        }
        writeProgress();
        progress.step(symbol(r.outcome()) + " " + r.outcome().label() + " " + r.scenario() + " [" + r.flavor() + (r.lane().equals("vm") ? "" : "/" + r.lane()) + "] "
                + String.format("%.1f s", r.durationMs() / 1000.0)
                + (r.outcome() == Outcome.PASSED ? "" : ": " + r.headline())
                + (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR ? "; evidence: " + r.evidence() : ""));
    }

    private void writeProgress() {
        try {
            report.writeProgress();
        } catch (IOException e) {
            // the run goes on: its final write tries again, and says so if it fails too
            progress.step("cannot update " + report.dir().resolve("summary.json") + ": " + e.getMessage());
        }
    }

    /** The report learns each scenario class's package from the cells it meets (an author's may be any). */
    private void met(TestIdentifier id) {
        report.classMet(id.getUniqueId().replaceAll(".*\\[class:([^\\]]*)].*", "$1"));
    }

    private static String symbol(Outcome outcome) {
        return switch (outcome) {
            case PASSED -> "✔";
            case SKIPPED -> "↷";
            default -> "✖";
        };
    }

    private static String name(TestIdentifier id) {
        return scenarioOf(id) + " " + id.getDisplayName();
    }

    /** From the invocation's display name: "[debian-12]" (VM lane) or "[debian-12/container]". */
    private static String flavorOf(TestIdentifier id) {
        return id.getDisplayName().replaceAll("^\\[([^/\\]]*)(/[^\\]]*)?]$", "$1");
    }

    private static String laneOf(TestIdentifier id) {
        String name = id.getDisplayName();
        return name.matches("^\\[[^/\\]]*/[^\\]]*]$") ? name.replaceAll("^\\[[^/]*/([^\\]]*)]$", "$1") : "vm";
    }

    /** Class.method from the unique id's method segment. */
    private static String scenarioOf(TestIdentifier id) {
        String uid = id.getUniqueId();
        String cls = uid.replaceAll(".*\\[class:([^\\]]*)].*", "$1");
        String method = uid.replaceAll(".*\\[test-template:([^(\\]]*).*", "$1");
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + method;
    }
}
