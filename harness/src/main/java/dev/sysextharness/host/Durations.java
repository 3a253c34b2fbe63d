package dev.sysextharness.host;

import java.time.Duration;
import java.time.Instant;

/** Durations as the harness reports them: seconds with milliseconds. */
public final class Durations {
    private Durations() {
    }

    public static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    public static double seconds(Instant from, Instant to) {
        return seconds(Duration.between(from, to));
    }
}
