package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.image.KairosIso;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real-ISO integration: the whole scenario suite, unchanged, on each Kairos flavor installed from its release
 * ISO. Runs only where the ISO is at hand without a download (SYSEXT_HARNESS_ISO_DIR, or the download cache);
 * otherwise skipped with the reason, so the selftest never reaches beyond loopback.
 */
@Tag("vm")
class KairosFlavorsIT {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kairos-opensuse-leap-15.6", "kairos-fedora-40", "kairos-ubuntu-24.04", "kairos-ubuntu-22.04"})
    void theScenarioSuitePassesOnTheInstalledFlavor(String name) throws Exception {
        Workspace ws = Workspace.locate(null);
        Flavor flavor = ws.flavors().load(name);
        Path iso = new FlavorImages(ws).kairosIso().local(flavor);
        Assumptions.assumeTrue(iso != null, () -> "no ISO for " + name + " on this machine: set " + KairosIso.ISO_DIR_ENV
                + " to a directory holding " + flavor.image().kairos().fileName() + " to run it");

        RunReport report = new ScenarioRun(List.of(flavor)).cold(false).progress(Progress.to(System.err))
                .execute("selftest-" + name, RestoreEquivalenceIT.OUT.resolve(name).toAbsolutePath());

        assertThat(report.results()).as("scenario results on %s", name).isNotEmpty();
        assertThat(report.results())
                .as("every scenario passes on %s (or is skipped for a capability it lacks); report: %s", name,
                        report.dir().resolve("index.html"))
                .allSatisfy(r -> assertThat(r.outcome()).as("%s: %s", r.scenario(), r.observed()).isIn(Outcome.PASSED, Outcome.SKIPPED));
    }
}
