package dev.sysextharness.scenario;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** Turns each {@link Scenario} into one invocation per selected flavor. */
public final class ScenarioExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getRequiredTestMethod().isAnnotationPresent(Scenario.class);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        ScenarioSession session = ScenarioSession.of(context);
        return session.flavorNames().stream().map(name -> new FlavorInvocation(session, name));
    }
}
