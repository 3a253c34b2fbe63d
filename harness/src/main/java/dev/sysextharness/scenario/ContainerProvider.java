package dev.sysextharness.scenario;

import dev.sysextharness.container.ContainerGuest;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.sysext.Sysext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The container lane's counterpart of {@link NodeProvider}: hands a scenario a fresh container of the flavor's
 * userspace as its {@link Guest}, captures the sysext evidence afterwards, records the outcome, and removes the
 * container. Without a Docker engine every cell of the lane is skipped with the one-line reason; the VM lane runs on.
 */
final class ContainerProvider implements ParameterResolver, BeforeTestExecutionCallback, AfterTestExecutionCallback,
        ExecutionCondition {
    private final ScenarioSession session;
    private final String flavorName;

    ContainerProvider(ScenarioSession session, String flavorName) {
        this.session = session;
        this.flavorName = flavorName;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("not a scenario");
        }
        try {
            session.dockerImages();
            return ConditionEvaluationResult.enabled("a Docker engine is reachable");
        } catch (DockerEngine.Unavailable e) {
            return ConditionEvaluationResult.disabled(e.getMessage());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == Guest.class || type == ContainerGuest.class || type == Flavor.class || type == Expectation.class || type == Sysext.class
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
            return Sysext.on(guest(c));
        }
        if (type == Expectation.class) {
            return store(c).computeIfAbsent(Expectation.class, k -> new Expectation(), Expectation.class);
        }
        return guest(c);
    }

    private ContainerGuest guest(ExtensionContext c) {
        return store(c).computeIfAbsent(ContainerGuest.class, k -> start(c), ContainerGuest.class);
    }

    private ContainerGuest start(ExtensionContext c) {
        Flavor flavor = session.flavor(flavorName);
        return ContainerGuest.start(session.dockerImages(), flavor, session.containerImage(flavor), evidenceDir(c));
    }

    Path evidenceDir(ExtensionContext c) {
        return session.evidenceRoot().resolve(flavorName + "-" + Lane.CONTAINER.label()).resolve(NodeProvider.scenarioName(c));
    }

    @Override
    public void beforeTestExecution(ExtensionContext c) {
        store(c).put("start", Instant.now());
    }

    @Override
    public void afterTestExecution(ExtensionContext c) throws IOException {
        Duration took = Duration.between(store(c).get("start", Instant.class), Instant.now());
        Throwable failure = c.getExecutionException().orElse(null);
        ContainerGuest guest = store(c).remove(ContainerGuest.class, ContainerGuest.class);
        Path dir = evidenceDir(c);
        Files.createDirectories(dir);
        if (guest != null) {
            try {
                captureEvidence(guest, dir);
            } finally {
                guest.close();
            }
        }
        NodeProvider.record(c, flavorName, Lane.CONTAINER, dir, took, failure, guest == null ? "no container" : "container", 0);
    }

    /** sysext state with the flavor's hierarchies, and the log of the commands run for the service; evidence only. */
    private static void captureEvidence(ContainerGuest guest, Path dir) {
        try {
            String hierarchies = guest.flavor().sysext().hierarchyVariable();
            CommandResult r = guest.run("sudo env SYSTEMD_SYSEXT_HIERARCHIES=" + hierarchies + " systemd-sysext status --json=short 2>&1;"
                    + " echo " + NodeProvider.EVIDENCE_SPLIT + "; cat " + Sysext.SERVICE_LOG + " 2>&1", Duration.ofSeconds(60));
            String[] parts = r.stdout().split(NodeProvider.EVIDENCE_SPLIT + "\n", 2);
            Files.writeString(dir.resolve("sysext-status.json"), parts[0]);
            Files.writeString(dir.resolve("journal-sysext.txt"), parts.length > 1 ? parts[1] : r.stderr());
        } catch (HarnessException | IOException e) {
            guest.transcript().note("# harness: evidence capture failed: " + e.getMessage());
        }
    }

    private static ExtensionContext.Store store(ExtensionContext c) {
        return c.getStore(NodeProvider.NS);
    }
}
