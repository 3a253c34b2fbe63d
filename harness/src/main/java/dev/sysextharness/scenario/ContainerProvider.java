package dev.sysextharness.scenario;

import dev.sysextharness.guest.ContainerGuest;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The container lane: a fresh container of the flavor's userspace as the scenario's {@link Guest}, removed afterwards. Without a Docker engine every cell of the lane is skipped with the one-line reason; the VM lane runs on.
 */
final class ContainerProvider extends GuestProvider<ContainerGuest> implements ExecutionCondition {

    ContainerProvider(ScenarioSession session, String flavorName) {
        super(session, flavorName, ContainerGuest.class, Lane.CONTAINER);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("not a scenario");
        }
        try {
            session.containers.docker();
            return ConditionEvaluationResult.enabled("a Docker engine is reachable");
        } catch (DockerEngine.Unavailable e) {
            return ConditionEvaluationResult.disabled(e.getMessage());
        }
    }

    @Override
    ContainerGuest start(ExtensionContext c) {
        Flavor flavor = session.flavor(flavorName);
        return ContainerGuest.start(session.containers.docker(), flavor, session.containers.imageOf(flavor), evidenceDir(c));
    }

    @Override
    Path evidenceDir(ExtensionContext c) {
        return session.evidenceRoot().resolve(flavorName + "-" + Lane.CONTAINER.label()).resolve(scenarioName(c));
    }

    @Override
    String startedBy(ContainerGuest guest) {
        return "container";
    }
}
