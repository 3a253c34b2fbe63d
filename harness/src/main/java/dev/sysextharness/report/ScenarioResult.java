package dev.sysextharness.report;

/**
 * One cell of the matrix: a scenario on a flavor in a lane ("vm" or "container"). {@code evidence} is a directory
 * path; {@code start} says how its guest started ("cold boot", "restore", "container", or "no node").
 */
public record ScenarioResult(String flavor, String lane, String scenario, String outcome, String expected, String observed,
                             long durationMs, String evidence, int reboots, String start) {
}
