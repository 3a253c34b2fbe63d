package dev.sysextharness.report;

import dev.sysextharness.host.Progress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Turns the scenario extension's report entries into {@link ScenarioResult}s and shows progress as scenarios run.
 * A scenario that ended before publishing its entry (e.g. the flavor's image could not be built) still gets a
 * cell, from JUnit's own result.
 */
public final class ReportListener implements TestExecutionListener {
    private final RunReport report;
    private final Progress progress;
    private final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();

    public ReportListener(RunReport report, Progress progress) {
        this.report = report;
        this.progress = progress;
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
            progress.step("▶ " + name(id));
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
            report.add(new ScenarioResult(flavorOf(id), laneOf(id), scenarioOf(id), "skipped", "(not applicable)", reason, 0,
                    report.dir().toString(), 0, "no node"));
            progress.step("↷ skipped " + name(id) + ": " + reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            result.getThrowable().filter(t -> result.getStatus() != TestExecutionResult.Status.SUCCESSFUL)
                    .ifPresent(t -> progress.step("✖ " + id.getDisplayName() + ": " + t.getMessage()));
            return;
        }
        Map<String, String> e = entries.get(id.getUniqueId());
        ScenarioResult r;
        if (e != null) {
            r = new ScenarioResult(e.get("flavor"), e.getOrDefault("lane", "vm"), e.get("scenario"), e.get("outcome"), e.get("expected"), e.get("observed"),
                    Long.parseLong(e.get("durationMs")), e.get("evidence"), Integer.parseInt(e.getOrDefault("reboots", "0")), e.getOrDefault("start", "no node"));
        } else {
            String observed = result.getThrowable().map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse(""))
                    .orElse("as expected");
            String outcome = switch (result.getStatus()) {
                case SUCCESSFUL -> "passed";
                case ABORTED -> "skipped";
                case FAILED -> result.getThrowable().filter(t -> t instanceof AssertionError).isPresent() ? "failed" : "error";
            };
            r = new ScenarioResult(flavorOf(id), laneOf(id), scenarioOf(id), outcome, "(not declared)", observed, 0, report.dir().toString(), 0, "no node");
        }
        report.add(r);
        progress.step(symbol(r.outcome()) + " " + r.outcome() + " " + r.scenario() + " [" + r.flavor() + (r.lane().equals("vm") ? "" : "/" + r.lane()) + "] "
                + String.format("%.1f s", r.durationMs() / 1000.0)
                + (r.outcome().equals("passed") ? "" : ": " + r.observed()));
    }

    private static String symbol(String outcome) {
        return switch (outcome) {
            case "passed" -> "✔";
            case "skipped" -> "↷";
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
