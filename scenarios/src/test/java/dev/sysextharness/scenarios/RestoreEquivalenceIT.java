package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The selftest's scenario run: the whole suite on the default flavor twice — nodes restored from a saved ready
 * state, and nodes cold-booted — launched exactly as {@code sysext-harness run} launches it. Every scenario must
 * pass, and a restored node must be indistinguishable from a cold-booted one: identical outcomes, cell by cell.
 */
@Tag("vm")
class RestoreEquivalenceIT {
    static final Path OUT = Path.of(System.getProperty("sysext.selftestDir", "target/selftest"));

    @Test
    void everyScenarioPassesAndRestoredNodesBehaveLikeColdBootedOnes() throws Exception {
        List<Flavor> flavors = List.of(Workspace.locate(null).flavors().load(Flavors.DEFAULT));
        Progress progress = Progress.to(System.err);

        RunReport restored = new ScenarioRun(flavors).cold(false).progress(progress)
                .execute("selftest-restore", OUT.resolve("restore").toAbsolutePath());
        RunReport cold = new ScenarioRun(flavors).cold(true).progress(progress)
                .execute("selftest-cold", OUT.resolve("cold").toAbsolutePath());

        assertThat(restored.results()).as("scenario results with restore").isNotEmpty();
        assertThat(restored.results())
                .as("every scenario passes on restored nodes; report: %s", restored.dir().resolve("index.html"))
                .allSatisfy(r -> assertThat(r.outcome()).as("%s on %s: %s", r.scenario(), r.flavor(), r.observed()).isEqualTo("passed"));
        assertThat(outcomes(restored))
                .as("outcome per cell, restored (%s) vs cold-booted (%s)", restored.dir(), cold.dir())
                .isEqualTo(outcomes(cold));
    }

    static Map<String, String> outcomes(RunReport report) {
        Map<String, String> m = new TreeMap<>();
        for (ScenarioResult r : report.results()) {
            m.put(r.flavor() + " " + r.scenario(), r.outcome());
        }
        return m;
    }
}
