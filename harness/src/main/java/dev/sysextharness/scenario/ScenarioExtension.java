package dev.sysextharness.scenario;

import dev.sysextharness.api.Scenario;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.report.PlannedCell;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** Turns each {@link Scenario} into one invocation per selected lane it declares and selected flavor. */
public final class ScenarioExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getRequiredTestMethod().isAnnotationPresent(Scenario.class);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        ScenarioSession session = ScenarioSession.of(context);
        List<Lane> declared = List.of(context.getRequiredTestMethod().getAnnotation(Scenario.class).lanes());
        String scenario = GuestProvider.scenarioName(context);
        Predicate<String> selected = ScenarioRun.cellFilter(context.getConfigurationParameter(ScenarioRun.CELLS).orElse(null));
        return session.lanes().stream().filter(declared::contains)
                .flatMap(lane -> session.flavors.keySet().stream()
                        .filter(name -> selected.test(PlannedCell.key(scenario, name, lane.label())))
                        .map(name -> new FlavorInvocation(session, name, lane)));
    }

    /** A scenario none of whose lanes was selected simply does not run. */
    @Override
    public boolean mayReturnZeroTestTemplateInvocationContexts(ExtensionContext context) {
        return true;
    }
}
