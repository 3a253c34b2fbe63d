package dev.sysextharness.report;

/**
 * One cell a run selects — a scenario on a flavor in a lane — and why it will be skipped (null: it runs), known
 * before anything starts. {@code templateId} is the JUnit unique id of the scenario's test template.
 */
public record PlannedCell(String scenario, String flavor, String lane, String skipReason, String templateId) {
    /** A cell's name across runs and machines: {@code Class.method@flavor/lane}. */
    public static String key(String scenario, String flavor, String lane) {
        return scenario + "@" + flavor + "/" + lane;
    }

    public String key() {
        return key(scenario, flavor, lane);
    }

    public boolean judged() {
        return skipReason == null;
    }

    public boolean sameCell(ScenarioResult r) {
        return r.scenario().equals(scenario) && r.flavor().equals(flavor) && r.lane().equals(lane);
    }
}
