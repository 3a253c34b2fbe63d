package dev.sysextharness.guest;

import java.time.Duration;

/** One guest command as it ran: what was asked, how it ended, what it printed, how long it took. */
public record CommandResult(String command, int exitCode, String stdout, String stderr, Duration duration) {

    /** Whether the command ran to an exit status: a timeout or a lost shell yields -1, which is no evidence of anything. */
    public boolean completed() {
        return exitCode >= 0;
    }

    /**
     * This result if it completed; otherwise the cell's error, in one line that leads with {@code who}. The one rule
     * for both lanes: a command that did not complete never reaches a scenario as "the command failed".
     */
    public CommandResult requireCompleted(String who, java.nio.file.Path transcript) {
        if (completed()) {
            return this;
        }
        throw new dev.sysextharness.host.HarnessException(who + ": '" + command + "' did not complete: "
                + stderr.strip().lines().reduce((a, b) -> b).orElse("no exit status") + "; see " + transcript);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** stdout without the trailing newline. */
    public String out() {
        return stdout.strip();
    }

    /** A one-line description for failure messages. */
    public String describe() {
        return "'" + command + "' exited " + exitCode
                + (stderr.isBlank() ? "" : ", stderr: " + stderr.strip().lines().reduce((a, b) -> b).orElse(""));
    }
}
