package dev.sysextharness.scenario;

import dev.sysextharness.api.Certifies;
import dev.sysextharness.api.Scenario;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a scenario on a flavor whose systemd lacks a capability the scenario requires, or a certification scenario
 * for another form of the author's extension, saying which and why.
 */
final class CapabilityCondition implements ExecutionCondition {
    private final ScenarioSession session;
    private final String flavorName;

    CapabilityCondition(ScenarioSession session, String flavorName) {
        this.session = session;
        this.flavorName = flavorName;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().map(m -> m.getAnnotation(Scenario.class)).isEmpty()) {
            return ConditionEvaluationResult.enabled("not a scenario");
        }
        Certifies.Form given = session.extensions.hasUserExtension() ? session.extensions.userExtensionForm() : null;
        String skip = CellGate.skipReason(context.getRequiredTestMethod(), session.flavor(flavorName), given);
        return skip == null ? ConditionEvaluationResult.enabled("flavor " + flavorName + " has every required capability")
                : ConditionEvaluationResult.disabled(skip);
    }
}
