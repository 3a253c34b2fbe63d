package dev.sysextharness.scenario;

import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.Expectation;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.SideBySide;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.sysext.Sysext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What both lanes do around a scenario: hand it its flavor, its expectation, its {@link Sysext} and a fresh guest of
 * the lane (started on first use); afterwards capture the sysext evidence, end the guest, and record the outcome
 * (report entry and result.json). A cell's duration runs from before its guest starts until that guest has ended:
 * the whole wall time the cell adds to a run.
 */
abstract class GuestProvider<G extends Guest> implements ParameterResolver, BeforeTestExecutionCallback, AfterTestExecutionCallback {
    static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GuestProvider.class);

    protected final ScenarioSession session;
    protected final String flavorName;
    private final Class<G> guestType;
    private final Lane lane;

    GuestProvider(ScenarioSession session, String flavorName, Class<G> guestType, Lane lane) {
        this.session = session;
        this.flavorName = flavorName;
        this.guestType = guestType;
        this.lane = lane;
    }

    /** Starts the lane's guest for scenario {@code c}, its evidence in {@link #evidenceDir}. */
    abstract G start(ExtensionContext c);

    abstract Path evidenceDir(ExtensionContext c);

    /** How the guest came to be, for the report ("restore", "cold boot", "container"). */
    abstract String startedBy(G guest);

    /** Each reboot's time, request to readiness, in order: none for a guest that cannot reboot. */
    List<Duration> reboots(G guest) {
        return List.of();
    }

    /** Whether the guest can still answer for evidence (a VM that ended cannot). */
    boolean answers(G guest) {
        return true;
    }

    /** The root script that reads what may be wrong with the guest after a cell, or null where the lane has none. */
    String badnessScript(G guest) {
        return null;
    }

    /**
     * What is wrong with the guest after the cell that its oracle did not predict, from what {@link #badnessScript}
     * printed (see {@link dev.sysextharness.guest.Badness}).
     */
    List<String> badness(G guest, String printed) {
        return List.of();
    }

    /**
     * Whether the guest of a cell that ended with {@code outcome} is kept running for a person ({@link KeptNode})
     * instead of closed; then it is no longer this provider's to close.
     */
    boolean keep(G guest, Outcome outcome, Path dir, String cell) {
        return false;
    }

    /** After the guest has ended (or was kept). */
    void ended(G guest, Outcome outcome, Path dir) throws IOException {
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == guestType || type == Guest.class || type == Flavor.class || type == Expectation.class || type == Sysext.class
                || type == Extensions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        if (type == Flavor.class) {
            return session.flavor(flavorName);
        }
        if (type == Extensions.class) {
            return session.extensions;
        }
        if (type == Sysext.class) {
            return Sysext.on(guest(c), session.ddis);
        }
        if (type == Expectation.class) {
            return store(c).computeIfAbsent(Expectation.class, k -> new Expectation(), Expectation.class);
        }
        return guest(c);
    }

    private G guest(ExtensionContext c) {
        return store(c).computeIfAbsent(guestType, k -> start(c), guestType);
    }

    @Override
    public void beforeTestExecution(ExtensionContext c) {
        store(c).put("start", Instant.now());
    }

    @Override
    public void afterTestExecution(ExtensionContext c) throws IOException {
        Throwable failure = c.getExecutionException().orElse(null);
        G guest = store(c).remove(guestType, guestType);
        Path dir = evidenceDir(c);
        Files.createDirectories(dir);
        Error raisedFailure = null; // the scenario passed, but the cell did not
        RuntimeException raisedError = null;
        if (guest != null) {
            try {
                if (!answers(guest)) {
                    // a node that ended (or whose kernel died) after the scenario cannot be judged for badness
                    if (failure == null) {
                        raisedError = new HarnessException(flavorName + " (" + lane.label() + "): the guest no longer answers after the"
                                + " scenario (it ended or its kernel panicked), so its closing reads (evidence, badness) were not taken;"
                                + " see " + dir);
                        failure = raisedError;
                    }
                } else {
                    try {
                        List<String> bad = closingReads(guest, dir);
                        if (!bad.isEmpty()) {
                            Files.write(dir.resolve("badness.txt"), bad);
                            if (failure == null) {
                                raisedFailure = new AssertionError(flavorName + ": the node shows what the oracle did not predict: " + bad.get(0)
                                        + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more)" : "") + "; see " + dir.resolve("badness.txt"));
                                failure = raisedFailure;
                            }
                        }
                    } catch (RuntimeException e) {
                        // without its closing reads the cell's badness is unjudged: an error, unless it already failed
                        guest.transcript().note("# harness: the closing reads (evidence, badness) failed: " + e.getMessage());
                        if (failure == null) {
                            raisedError = e;
                            failure = e;
                        }
                    }
                }
            } finally {
                if (!keep(guest, Outcome.of(failure), dir, PlannedCell.key(scenarioName(c), flavorName, lane.label()))) {
                    guest.close();
                }
            }
            ended(guest, Outcome.of(failure), dir);
        }
        Duration took = Duration.between(store(c).get("start", Instant.class), Instant.now());
        record(c, dir, took, failure, guest == null ? "no " + lane.label() : startedBy(guest), guest == null ? List.of() : reboots(guest),
                guest == null ? List.of() : guest.transcript().observations());
        if (raisedFailure != null) {
            throw raisedFailure;
        }
        if (raisedError != null) {
            throw raisedError;
        }
    }

    /**
     * The cell's closing reads, in one command: the sysext state with the flavor's hierarchies and what the service
     * logged (evidence, never a verdict), written to the cell's directory, side by side with the lane's badness
     * script; returns the badness found.
     */
    private List<String> closingReads(G guest, Path dir) {
        Sysext sysext = Sysext.on(guest);
        String badness = badnessScript(guest);
        List<SideBySide.Part> printed = guest.sudoSideBySide(badness == null ? List.of(sysext.evidenceScript())
                : List.of(sysext.evidenceScript(), badness));
        Sysext.Evidence e = sysext.evidence(printed.get(0));
        try {
            Files.writeString(dir.resolve("sysext-status.json"), e.statusJson());
            Files.writeString(dir.resolve("journal-sysext.txt"), e.serviceLog());
        } catch (IOException io) {
            guest.transcript().note("# harness: evidence not written: " + io.getMessage());
        }
        return badness == null ? List.of() : badness(guest, printed.get(1).stdout());
    }

    /** Publishes the cell's result (report entry, result.json). */
    private void record(ExtensionContext c, Path dir, Duration took, Throwable failure, String startedBy, List<Duration> reboots,
            List<String> observations) throws IOException {
        Expectation expectation = store(c).get(Expectation.class, Expectation.class);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("flavor", flavorName);
        entry.put("lane", lane.label());
        entry.put("scenario", scenarioName(c));
        entry.put("outcome", Outcome.of(failure).label());
        entry.put("expected", expectation == null || expectation.isEmpty() ? "(not declared)" : expectation.text());
        // what was seen, fact by fact; a failure leads with its cause (which says what was expected and what was seen)
        String seen = String.join("; ", observations);
        entry.put("observed", failure == null ? (seen.isEmpty() ? "no observation was recorded" : seen)
                : leadingWithFlavor(Outcome.firstLine(failure)) + (seen.isEmpty() ? "" : ScenarioResult.SEEN + seen));
        entry.put("durationMs", Long.toString(took.toMillis()));
        entry.put("evidence", dir.toString());
        entry.put("start", startedBy);
        entry.put("reboots", Integer.toString(reboots.size()));
        // how much of durationMs the reboots took: what bench sets apart from the cell's own commands
        entry.put(ScenarioResult.REBOOT_MS, Long.toString(reboots.stream().mapToLong(Duration::toMillis).sum()));
        c.publishReportEntry(entry);
        ScenarioResultFile.write(dir, entry, failure);
    }

    static String scenarioName(ExtensionContext c) {
        return ScenarioRun.scenarioName(c.getRequiredTestClass().getName(), c.getRequiredTestMethod().getName());
    }

    /** A cell's one line starts with its flavor, then the cause ("debian-12: QEMU exited at start under KVM …"). */
    private String leadingWithFlavor(String line) {
        return line.startsWith(flavorName + ":") ? line : flavorName + ": " + line;
    }

    private static ExtensionContext.Store store(ExtensionContext c) {
        return c.getStore(NS);
    }
}
