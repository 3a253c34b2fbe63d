package dev.sysextharness.scenario;

import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Flavor;
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
        Scenario scenario = context.getTestMethod().map(m -> m.getAnnotation(Scenario.class)).orElse(null);
        if (scenario == null) {
            return ConditionEvaluationResult.enabled("not a scenario");
        }
        Certifies certifies = context.getRequiredTestMethod().getAnnotation(Certifies.class);
        if (certifies != null) {
            Certifies.Form given = session.extensions().definition(Extensions.USER).definition().raw() != null
                    ? Certifies.Form.RAW_FILE : Certifies.Form.OCI_IMAGE;
            if (given != certifies.value()) {
                return ConditionEvaluationResult.disabled("your extension is " + given.text() + "; this scenario ships "
                        + certifies.value().text());
            }
        }
        Flavor flavor = session.flavor(flavorName);
        for (Capability c : scenario.requires()) {
            if (!c.in(flavor.systemdVersion())) {
                return ConditionEvaluationResult.disabled(c.missingIn(flavor));
            }
        }
        return ConditionEvaluationResult.enabled("flavor " + flavorName + " has every required capability");
    }
}
