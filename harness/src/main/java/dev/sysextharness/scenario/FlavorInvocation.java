package dev.sysextharness.scenario;

import java.util.List;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;

/** One scenario on one flavor. */
final class FlavorInvocation implements TestTemplateInvocationContext {
    private final ScenarioSession session;
    private final String flavorName;

    FlavorInvocation(ScenarioSession session, String flavorName) {
        this.session = session;
        this.flavorName = flavorName;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
        return "[" + flavorName + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        return List.of(new NodeProvider(session, flavorName), new CapabilityCondition(session, flavorName));
    }
}
