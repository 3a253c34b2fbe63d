package dev.sysextharness.scenario;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.sysext.Sysext;
import dev.sysextharness.vm.BootDisk;
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
 * Hands a scenario its flavor, its expectation and a node booted on a fresh overlay; afterwards captures the
 * sysext evidence, records the outcome (report entries and result.json), and ends the VM. The overlay is deleted
 * when the scenario passed and kept when it did not.
 */
final class NodeProvider implements ParameterResolver, BeforeTestExecutionCallback, AfterTestExecutionCallback {
    static final String EVIDENCE_SPLIT = "----- journalctl -b -u systemd-sysext -----";
    static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NodeProvider.class);

    private final ScenarioSession session;
    private final String flavorName;

    NodeProvider(ScenarioSession session, String flavorName) {
        this.session = session;
        this.flavorName = flavorName;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == Node.class || type == Guest.class || type == Flavor.class || type == Expectation.class || type == Sysext.class
                || type == Extensions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        if (type == Flavor.class) {
            return session.flavor(flavorName);
        }
        if (type == Extensions.class) {
            return session.extensions();
        }
        if (type == Sysext.class) {
            return Sysext.on(node(c));
        }
        if (type == Expectation.class) {
            return store(c).computeIfAbsent(Expectation.class, k -> new Expectation(), Expectation.class);
        }
        return node(c);
    }

    private Node node(ExtensionContext c) {
        return store(c).computeIfAbsent(Node.class, k -> boot(c), Node.class);
    }

    private Node boot(ExtensionContext c) {
        Flavor flavor = session.flavor(flavorName);
        Bundles bundles = c.getRequiredTestMethod().getAnnotation(Bundles.class);
        BootDisk disk = bundles == null ? session.bootDisk(flavor) : session.installedDisk(flavor, List.of(bundles.value()));
        return new NodeLauncher(flavor, disk)
                .guestForward(session.registryForward())
                .savedStates(session.savedStates())
                .accelerator(session.accelerator().accelerator())
                .evidenceDir(evidenceDir(c))
                .progress(session.progress())
                .start();
    }

    Path evidenceDir(ExtensionContext c) {
        return session.evidenceRoot().resolve(flavorName).resolve(scenarioName(c));
    }

    static String scenarioName(ExtensionContext c) {
        return c.getRequiredTestClass().getSimpleName() + "." + c.getRequiredTestMethod().getName();
    }

    @Override
    public void beforeTestExecution(ExtensionContext c) {
        store(c).put("start", Instant.now());
    }

    @Override
    public void afterTestExecution(ExtensionContext c) throws IOException {
        Duration took = Duration.between(store(c).get("start", Instant.class), Instant.now());
        Throwable failure = c.getExecutionException().orElse(null);
        ScenarioOutcome outcome = ScenarioOutcome.of(failure);
        Node node = store(c).remove(Node.class, Node.class);
        String startedBy = node == null ? "no node" : node.startedBy();
        int reboots = node == null ? 0 : node.reboots();
        Path dir = evidenceDir(c);
        Files.createDirectories(dir);
        if (node != null) {
            try {
                captureEvidence(node, dir);
            } finally {
                node.close();
            }
            if (outcome == ScenarioOutcome.PASSED) {
                Files.deleteIfExists(dir.resolve("overlay.qcow2"));
            }
        }
        record(c, flavorName, Lane.VM, dir, took, failure, startedBy, reboots);
    }

    /** Publishes the cell's result (report entry, result.json); shared by both lanes. */
    static void record(ExtensionContext c, String flavorName, Lane lane, Path dir, Duration took, Throwable failure,
                       String startedBy, int reboots) throws IOException {
        Expectation expectation = c.getStore(NS).get(Expectation.class, Expectation.class);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("flavor", flavorName);
        entry.put("lane", lane.label());
        entry.put("scenario", scenarioName(c));
        entry.put("outcome", ScenarioOutcome.of(failure).label());
        entry.put("expected", expectation == null || expectation.isEmpty() ? "(not declared)" : expectation.text());
        entry.put("observed", failure == null ? "as expected" : firstLine(failure));
        entry.put("durationMs", Long.toString(took.toMillis()));
        entry.put("evidence", dir.toString());
        entry.put("start", startedBy);
        entry.put("reboots", Integer.toString(reboots));
        c.publishReportEntry(entry);
        ScenarioResultFile.write(dir, entry, failure);
    }

    /** sysext state as the flavor's service sees it, and its journal; evidence, never a verdict. */
    private static void captureEvidence(Node node, Path dir) {
        if (!node.vm().isAlive()) {
            return;
        }
        try {
            String hierarchies = node.flavor().sysext().hierarchyVariable();
            CommandResult r = node.run("sudo sh -c 'env SYSTEMD_SYSEXT_HIERARCHIES=" + hierarchies
                    + " systemd-sysext status --json=short 2>&1; echo " + EVIDENCE_SPLIT
                    + "; journalctl -b -u systemd-sysext --no-pager -o short-precise 2>&1'", Duration.ofSeconds(60));
            String[] parts = r.stdout().split(EVIDENCE_SPLIT + "\n", 2);
            Files.writeString(dir.resolve("sysext-status.json"), parts[0]);
            Files.writeString(dir.resolve("journal-sysext.txt"), parts.length > 1 ? parts[1] : r.stderr());
        } catch (HarnessException | IOException e) {
            node.transcript().note("# harness: evidence capture failed: " + e.getMessage());
        }
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.strip().lines().findFirst().orElse(m);
    }

    private static ExtensionContext.Store store(ExtensionContext c) {
        return c.getStore(NS);
    }
}
