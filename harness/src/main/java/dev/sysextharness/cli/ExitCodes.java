package dev.sysextharness.cli;

/** The harness's exit codes, the same for every command. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int SCENARIO_FAILED = 1;
    public static final int USAGE = 2;
    public static final int INFRASTRUCTURE = 3;

    private ExitCodes() {
    }
}
