package dev.sysextharness.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Every guest command of one node, appended to transcript.txt as it completes and kept in memory for reports. */
public final class Transcript {
    private final Path file;
    private final List<CommandResult> entries = new ArrayList<>();
    private final List<String> observations = new ArrayList<>();
    private final List<String> predicted = new ArrayList<>();

    public Transcript(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized void record(CommandResult r) {
        entries.add(r);
        StringBuilder sb = new StringBuilder()
                .append("$ ").append(r.command()).append('\n')
                .append("# exit ").append(r.exitCode())
                .append(", ").append(String.format("%.3f s", r.duration().toMillis() / 1000.0))
                .append(", at ").append(Instant.now()).append('\n');
        if (!r.stdout().isEmpty()) {
            sb.append(r.stdout());
            if (!r.stdout().endsWith("\n")) {
                sb.append('\n');
            }
        }
        if (!r.stderr().isEmpty()) {
            r.stderr().lines().forEach(l -> sb.append("stderr| ").append(l).append('\n'));
        }
        sb.append('\n');
        note(sb.toString());
    }

    /** A line of context between commands (boot, reboot, readiness). */
    public synchronized void note(String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text.endsWith("\n") ? text : text + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write transcript " + file, e);
        }
    }

    /**
     * A fact the harness saw that bears on the cell's verdict (a service's exit status, what status said was merged, a
     * reboot's boot_ids): the report's "observed" column is these, in order. A fact equal to the one before is kept once.
     */
    public synchronized void observe(String fact) {
        if (observations.isEmpty() || !observations.get(observations.size() - 1).equals(fact)) {
            observations.add(fact);
            note("# observed: " + fact);
        }
    }

    public synchronized List<String> observations() {
        return List.copyOf(observations);
    }

    /**
     * A line (a regular expression) or a failed unit ("unit:NAME") the oracle predicted for this cell: the badness scan
     * after the cell does not count it against the cell.
     */
    public synchronized void predicted(String patternOrUnit) {
        predicted.add(patternOrUnit);
    }

    public synchronized List<String> predicted() {
        return List.copyOf(predicted);
    }

    public synchronized List<CommandResult> entries() {
        return List.copyOf(entries);
    }
}
