package dev.sysextharness.report;

/**
 * One cell of the matrix: a scenario on a flavor. {@code evidence} is a directory path; {@code start} says how
 * its node started ("cold boot", "restore", or "no node").
 */
public record ScenarioResult(String flavor, String scenario, String outcome, String expected, String observed,
                             long durationMs, String evidence, int reboots, String start) {
}
