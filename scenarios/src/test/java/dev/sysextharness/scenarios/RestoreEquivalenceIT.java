package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The selftest's scenario run, launched exactly as {@code sysext-harness run} launches it: the whole suite on the
 * default flavor on restored nodes (every scenario must pass or be skipped for a capability the flavor lacks), and
 * the core set of extension and layout scenarios once more on cold-booted nodes. A restored node must be
 * indistinguishable from a cold-booted one: identical outcomes, cell by cell, on the core set.
 */
@Tag("vm")
class RestoreEquivalenceIT {
    static final Path OUT = Path.of(System.getProperty("sysext.selftestDir", "target/selftest"));
    /** The scenarios of the install/runtime/reboot/unmerge set and the node layout: everything a restore could disturb. */
    static final Set<String> CORE_CLASSES = Set.of("ExtensionScenarios", "KairosLayoutScenarios");

    @Test
    void everyScenarioPassesAndRestoredNodesBehaveLikeColdBootedOnes() throws Exception {
        // selftest --flavor X runs it on X (the first one given); else on the default flavor
        RunConfiguration config = RunConfiguration.fromSystemProperties();
        List<Flavor> flavors = List.of(config.workspace().flavors().load(config.flavors().get(0)));
        Progress progress = Progress.to(System.err);

        RunReport restored = new ScenarioRun(flavors).cold(false).progress(progress)
                .execute("selftest-restore", OUT.resolve("restore").toAbsolutePath());
        RunReport cold = new ScenarioRun(flavors).cold(true).progress(progress)
                .onlyClasses(CORE_CLASSES)
                .execute("selftest-cold", OUT.resolve("cold").toAbsolutePath());

        assertThat(restored.results()).as("scenario results with restore").isNotEmpty();
        assertThat(restored.results())
                .as("every scenario passes on restored nodes; report: %s", restored.dir().resolve("index.html"))
                .allSatisfy(r -> assertThat(r.outcome()).as("%s on %s: %s", r.scenario(), r.flavor(), r.observed())
                        .isIn(Outcome.PASSED, Outcome.SKIPPED));
        assertThat(restored.results()).filteredOn(r -> r.outcome() == Outcome.SKIPPED)
                .as("skips are gates from data (a capability row, a flavor family), with their reason")
                .allSatisfy(r -> assertThat(r.observed()).matches("(?s).*needs systemd >=.*|needs a kairos flavor; .*"));
        assertThat(restored.results()).filteredOn(r -> r.outcome() != Outcome.SKIPPED)
                .as("every node of the restore pass was restored").allSatisfy(r -> assertThat(r.start()).isEqualTo("restore"));
        assertThat(cold.results()).filteredOn(r -> r.outcome() != Outcome.SKIPPED)
                .as("every node of the cold pass was cold-booted").allSatisfy(r -> assertThat(r.start()).isEqualTo("cold boot"));
        assertThat(outcomes(cold)).as("cold pass cells").isNotEmpty();
        Map<String, String> restoredCore = new TreeMap<>(outcomes(restored));
        restoredCore.keySet().retainAll(outcomes(cold).keySet());
        assertThat(restoredCore)
                .as("outcome per core cell, restored (%s) vs cold-booted (%s)", restored.dir(), cold.dir())
                .isEqualTo(outcomes(cold));
    }

    static Map<String, String> outcomes(RunReport report) {
        Map<String, String> m = new TreeMap<>();
        for (ScenarioResult r : report.results()) {
            m.put(r.flavor() + " " + r.scenario(), r.outcome().label());
        }
        return m;
    }
}
