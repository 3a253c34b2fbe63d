package dev.sysextharness.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What a scenario expects, written down before it acts (computed from the flavor's configuration, never from
 * what it observes). The report shows it next to the outcome.
 */
public final class Expectation {
    private final List<String> lines = new ArrayList<>();

    public Expectation that(String expected) {
        lines.add(expected);
        return this;
    }

    public String text() {
        return String.join("; ", lines);
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }
}
