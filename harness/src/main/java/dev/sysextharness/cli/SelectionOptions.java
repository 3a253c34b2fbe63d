package dev.sysextharness.cli;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.report.FailedCells;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.util.LinkedHashSet;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private FailedCells rerun;

    /** The lanes named; an unknown one is a usage error. */
    List<Lane> lanes() {
        return Lane.parseAll(lane);
    }

    /**
     * Only an earlier run's failed cells: on their flavors and lanes, unless --flavor or --lane was given (then those,
     * which narrow the cells further, as --scenario does).
     */
    void rerunning(FailedCells failed) {
        this.rerun = failed;
        if (!given("--flavor")) {
            flavorNames = failed.flavors();
        }
        if (!given("--lane")) {
            lane = String.join(",", new LinkedHashSet<>(failed.lanes()));
        }
    }

    private boolean given(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** A scenario run of this selection with the given configuration, before anything starts. */
    ScenarioRun scenarioRun(RunConfiguration config, List<Flavor> flavors) {
        ScenarioRun run = new ScenarioRun(flavors).configuration(config).lanes(lanes()).scenariosFrom(scenarios).scenarios(scenarioGlob);
        return rerun == null ? run : run.onlyCells(new LinkedHashSet<>(rerun.keys()));
    }
}
