package dev.sysextharness.scenario;

import dev.sysextharness.guest.Lane;
import java.util.List;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;

/** One scenario on one flavor in one lane. */
final class FlavorInvocation implements TestTemplateInvocationContext {
    private final ScenarioSession session;
    private final String flavorName;
    private final Lane lane;

    FlavorInvocation(ScenarioSession session, String flavorName, Lane lane) {
        this.session = session;
        this.flavorName = flavorName;
        this.lane = lane;
    }

    /** "[debian-12]" in the VM lane, "[debian-12/container]" in the container lane. */
    @Override
    public String getDisplayName(int invocationIndex) {
        return "[" + flavorName + (lane == Lane.VM ? "" : "/" + lane.label()) + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        if (lane == Lane.CONTAINER) {
            return List.of(new ContainerProvider(session, flavorName), new CapabilityCondition(session, flavorName));
        }
        return List.of(new NodeProvider(session, flavorName), new CapabilityCondition(session, flavorName));
    }
}
