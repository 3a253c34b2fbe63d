package dev.sysextharness.cli;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.report.FailedCells;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.util.LinkedHashSet;
import dev.sysextharness.report.CellDurations;
import dev.sysextharness.report.PlanShard;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.scenario.Shard;
import dev.sysextharness.scenario.Sharding;
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

    @Option(names = "--scenario", paramLabel = "GLOB[,GLOB...]",
            description = "Only scenarios whose Class.method (or method) matches one of the globs, e.g. '*Layout*' or"
                    + " 'KairosLayoutScenarios.*,*idAny*'.")
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
    @Option(names = "--shard", paramLabel = "I/N",
            description = "Only shard I (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of N: the selection split into N parts of"
                    + " about equal time (from earlier runs' durations under the report directory), a flavor and lane's cells"
                    + " kept together where that is no slower; every machine given the same selection computes the same split.")
    String shardSpec;

    /** The shard asked for, or null for the whole selection; a malformed one is a usage error. */
    Shard shard() {
        return shardSpec == null ? null : Shard.parse(shardSpec);
    }

    /**
     * Which cells of {@code plan} each of the N shards runs, costed from the complete whole runs under
     * {@code reportsDir}, and this shard's place in it.
     */
    static ShardPlan planShard(Shard shard, List<PlannedCell> plan, Path reportsDir) {
        Sharding.Split split = Sharding.split(plan, CellDurations.latest(reportsDir), shard.count());
        return new ShardPlan(new PlanShard(shard.index(), shard.count(), Sharding.fingerprint(plan, shard.count(), split.shards()),
                split.shards()), describe(shard, plan, split));
    }

    /** A shard's place in the split computed once, and the line that says what it holds. */
    record ShardPlan(PlanShard part, String line) {
        java.util.Set<String> mine() {
            return java.util.Set.copyOf(part.split().get(part.index()));
        }
    }

    /** The one line saying what a shard holds. */
    private static String describe(Shard shard, List<PlannedCell> plan, Sharding.Split split) {
        return String.format("shard %s: %d of the %d selected cells, estimated %.0f s (longest shard %.0f s)", shard,
                split.cells(shard.index()).size(), plan.size(), split.loadsMs().get(shard.index()) / 1000.0, split.makespanMs() / 1000.0);
    }

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

    /** The selection as options that select it again: flavors and lanes always, the rest where given. */
    List<String> arguments() {
        List<String> args = new java.util.ArrayList<>(List.of("--flavor", String.join(",", flavorNames), "--lane", lane));
        if (scenarioGlob != null) {
            args.addAll(List.of("--scenario", scenarioGlob));
        }
        if (scenarios != null) {
            args.addAll(List.of("--scenarios", scenarios.toAbsolutePath().normalize().toString()));
        }
        return args;
    }

    /**
     * Takes the selection recorded as {@link #arguments()} for every option not given on this command line (a resumed
     * soak selects what its first sitting did unless told otherwise).
     */
    void adoptUnlessGiven(List<String> recorded) {
        for (int i = 0; i + 1 < recorded.size(); i += 2) {
            String option = recorded.get(i);
            String value = recorded.get(i + 1);
            if (given(option)) {
                continue;
            }
            switch (option) {
                case "--flavor" -> flavorNames = List.of(value.split(","));
                case "--lane" -> lane = value;
                case "--scenario" -> scenarioGlob = value;
                case "--scenarios" -> scenarios = Path.of(value);
                default -> throw new dev.sysextharness.flavor.ConfigException("recorded selection has an unknown option " + option);
            }
        }
    }

    /** A scenario run of this selection with the given configuration, before anything starts. */
    ScenarioRun scenarioRun(RunConfiguration config, List<Flavor> flavors) {
        ScenarioRun run = new ScenarioRun(flavors).configuration(config).lanes(lanes()).scenariosFrom(scenarios).scenarios(scenarioGlob);
        return rerun == null ? run : run.onlyCells(new LinkedHashSet<>(rerun.keys()));
    }
}
