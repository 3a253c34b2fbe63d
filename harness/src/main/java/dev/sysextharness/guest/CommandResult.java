package dev.sysextharness.guest;

import java.time.Duration;

/** One guest command as it ran: what was asked, how it ended, what it printed, how long it took. */
public record CommandResult(String command, int exitCode, String stdout, String stderr, Duration duration) {

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
