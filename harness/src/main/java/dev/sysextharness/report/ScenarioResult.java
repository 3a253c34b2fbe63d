package dev.sysextharness.report;

/**
 * One cell of the matrix: a scenario on a flavor in a lane ("vm" or "container"). {@code evidence} is a directory
 * path; {@code start} says how its guest started ("cold boot", "restore", "container", or "no node").
 */
public record ScenarioResult(String flavor, String lane, String scenario, Outcome outcome, String expected, String observed,
                             long durationMs, String evidence, int reboots, String start) {
    /** Between a failure's cause and the facts the cell saw before it, in {@link #observed()}. */
    public static final String SEEN = " | seen: ";
    /** The key in a cell's result.json (and report entry) of how long its reboots took, in milliseconds, summed. */
    public static final String REBOOT_MS = "rebootMs";

    /** This cell's name across runs and machines, as {@link PlannedCell#key()} names it. */
    public String key() {
        return PlannedCell.key(scenario, flavor, lane);
    }

    /** The observation without the facts seen before a failure: the one line a progress or summary line shows. */
    public String headline() {
        int cut = observed.indexOf(SEEN);
        return cut < 0 ? observed : observed.substring(0, cut);
    }
}
