package dev.sysextharness.host;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/** Where long work (image builds, boots) reports what it is doing, so users are never left staring at nothing. */
@FunctionalInterface
public interface Progress {
    void step(String message);

    static Progress silent() {
        return message -> { };
    }

    /** Lines prefixed with the seconds since this process started, so every progress line of a run shares one clock. */
    static Progress to(PrintStream out) {
        Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        return message -> {
            double s = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            out.printf("[%7.1fs] %s%n", s, message);
            out.flush();
        };
    }
}
