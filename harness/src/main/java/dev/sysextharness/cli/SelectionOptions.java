package dev.sysextharness.cli;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Which cells a command that runs (or lists) scenarios selects: flavors, the scenarios (built-in or the author's), a glob, lanes. */
final class SelectionOptions {
    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, split = ",", paramLabel = "NAME[,NAME...]",
            description = "Flavors from vm-configs/ (default: ${DEFAULT-VALUE}).")
    List<String> flavorNames;

    @Option(names = "--scenario", paramLabel = "GLOB",
            description = "Only scenarios whose Class.method (or method) matches, e.g. '*Layout*' or 'KairosLayoutScenarios.*'.")
    String scenarioGlob;

    @Option(names = "--scenarios", paramLabel = "DIR|JAR",
            description = "Your own @Scenario classes instead of the built-in ones: a directory of compiled classes"
                    + " (e.g. target/test-classes) or a jar, any package; with --extension they all run, with it as Extensions.USER.")
    Path scenarios;

    @Option(names = "--lane", defaultValue = "vm", paramLabel = "vm|container|all",
            description = "Where scenarios are judged: on booted VMs (default), in containers of each flavor's userspace"
                    + " (only the scenarios that declare that lane; needs a Docker engine), or both.")
    String lane;

    /** The lanes named; an unknown one is a usage error. */
    List<Lane> lanes() {
        return Lane.parseAll(lane);
    }

    /** A scenario run of this selection with the given configuration, before anything starts. */
    ScenarioRun scenarioRun(RunConfiguration config, List<Flavor> flavors) {
        return new ScenarioRun(flavors).configuration(config).lanes(lanes()).scenariosFrom(scenarios).scenarios(scenarioGlob);
    }
}
