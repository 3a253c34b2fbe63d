package dev.sysextharness.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Json;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The run's progress for programs ({@code run --events FILE}): one JSON object per line, each flushed as it is
 * written — {@code run-start}, then {@code cell-start} and {@code cell-end} per cell, then {@code run-end}. Every
 * {@code cell-end} follows a {@code cell-start} of the same key, also for cells JUnit skipped or never ran.
 */
public final class RunEvents implements Closeable {
    private final BufferedWriter out;
    private final Path file;
    private final Set<String> started = new HashSet<>();

    private RunEvents(BufferedWriter out, Path file) {
        this.out = out;
        this.file = file;
    }

    /** Events into {@code file}, created or truncated. */
    public static RunEvents to(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new RunEvents(Files.newBufferedWriter(file, StandardCharsets.UTF_8), file);
    }

    /** No events: what a run without {@code --events} writes to. */
    public static RunEvents none() {
        return new RunEvents(null, null);
    }

    /** A run that ran nothing (nothing to rerun): the file holds that, and not an earlier run's events. */
    public static void nothingRan(Path file, String why) throws IOException {
        try (RunEvents events = to(file)) {
            ObjectNode e = event("run-end").put("nothingRan", why);
            ObjectNode counts = e.putObject("counts");
            for (Outcome o : Outcome.values()) {
                counts.put(o.label(), 0);
            }
            events.write(e.put("wallSeconds", 0.0).put("exitCode", 0));
        }
    }

    public synchronized void runStart(RunReport report) {
        ObjectNode e = event("run-start").put("run", report.runId()).put("harnessVersion", report.harnessVersion());
        var flavors = e.putArray("flavors");
        for (Flavor f : report.flavors()) {
            flavors.addObject().put("name", f.name()).put("systemd", f.systemdVersion());
        }
        var lanes = e.putArray("lanes");
        report.planned().stream().map(PlannedCell::lane).distinct().forEach(lanes::add);
        e.put("cells", report.planned().size());
        write(e);
    }

    public synchronized void cellStart(String scenario, String flavor, String lane) {
        String key = PlannedCell.key(scenario, flavor, lane);
        if (started.add(key)) {
            write(event("cell-start").put("scenario", scenario).put("flavor", flavor).put("lane", lane).put("key", key));
        }
    }

    /** A cell's end, after its start (written here first when the cell never started: skipped, or never run). */
    public synchronized void cellEnd(ScenarioResult r, Path reportDir) {
        cellStart(r.scenario(), r.flavor(), r.lane());
        write(event("cell-end").put("key", r.key()).put("outcome", r.outcome().label()).put("durationMs", r.durationMs())
                .put("evidence", reportDir.toAbsolutePath().relativize(Path.of(r.evidence()).toAbsolutePath()).toString())
                .put("headline", r.headline()));
    }

    /** The run's end: counts per outcome, wall time and, when the caller knows it, the exit code (else null). */
    public synchronized void runEnd(RunReport report, Integer exitCode) {
        ObjectNode e = event("run-end");
        ObjectNode counts = e.putObject("counts");
        for (Outcome o : Outcome.values()) {
            counts.put(o.label(), report.count(o));
        }
        e.put("wallSeconds", report.wallSeconds());
        if (exitCode == null) {
            e.putNull("exitCode");
        } else {
            e.put("exitCode", exitCode);
        }
        write(e);
    }

    /** The run ended with an error before its cells were counted: the error and the exit code the command gives. */
    public synchronized void runFailed(Throwable error, int exitCode) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage().strip();
        write(event("run-end").put("error", message.lines().findFirst().orElse(message)).put("exitCode", exitCode));
    }

    private static ObjectNode event(String name) {
        return Json.mapper().createObjectNode().put("event", name).put("time", Instant.now().toString());
    }

    private void write(ObjectNode e) {
        if (out == null) {
            return;
        }
        try {
            out.write(Json.mapper().writeValueAsString(e));
            out.write('\n');
            out.flush(); // a reader tailing the file sees each event as it happens
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write an event to " + file + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
