package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The container lane must agree with the VM lane: the compatibility catalogue's scenarios that declare the container
 * lane, in both lanes, on reference flavors
 * (by default debian-12 and debian-13, systemd 252 and 257, to keep the selftest within CI's time; all four with
 * {@code -Dsysext.agreementFlavors=…}), and every cell judged in both lanes must have the same outcome. A
 * disagreement is a bug in one lane.
 */
@Tag("vm")
class LaneAgreementIT {

    @Test
    void theContainerLaneAgreesWithTheVmLaneCellByCell() throws Exception {
        // selftest --flavor X,Y runs it on those; else on debian-12 and debian-13 (or -Dsysext.agreementFlavors)
        String given = System.getProperty(RunConfiguration.FLAVORS, System.getProperty("sysext.agreementFlavors", "debian-12,debian-13"));
        List<String> names = Arrays.asList(given.split(","));
        Workspace ws = RunConfiguration.fromSystemProperties().workspace();
        List<Flavor> flavors = names.stream().map(String::strip).map(ws.flavors()::load).toList();

        RunReport report = new ScenarioRun(flavors).lanes(List.of(Lane.VM, Lane.CONTAINER)).cold(false)
                .onlyClasses(Set.of("CompatibilityScenarios")).onlyDeclaring(Lane.CONTAINER).progress(Progress.to(System.err))
                .execute("selftest-lanes", RestoreEquivalenceIT.OUT.resolve("lanes").toAbsolutePath());

        Map<String, String> container = outcomes(report, "container");
        Map<String, String> vm = outcomes(report, "vm");
        assertThat(report.results()).filteredOn(r -> r.lane().equals("container"))
                .as("container-lane cells ran (a skip for an unavailable Docker engine is not agreement); report: %s",
                        report.dir().resolve("index.html"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.observed()).as("%s on %s", r.scenario(), r.flavor())
                        .doesNotContain("container lane unavailable"));
        assertThat(vm.keySet()).as("every cell of the container lane is also judged in the VM lane").containsAll(container.keySet());
        Map<String, String> vmOnSameCells = new TreeMap<>(vm);
        vmOnSameCells.keySet().retainAll(container.keySet());
        assertThat(container).as("outcome per cell, container lane vs VM lane (report %s)", report.dir().resolve("index.html"))
                .isEqualTo(vmOnSameCells);
        assertThat(report.results()).as("every cell passes, or is skipped for a capability its flavor lacks (report %s)",
                        report.dir().resolve("index.html"))
                .allSatisfy(r -> assertThat(r.outcome() == Outcome.PASSED || r.outcome() == Outcome.SKIPPED && (r.observed().contains("needs systemd >=") || r.observed().startsWith("needs a kairos flavor; ")))
                        .as("%s on %s/%s: %s %s", r.scenario(), r.flavor(), r.lane(), r.outcome(), r.headline()).isTrue());
        Map<String, String> seenInContainers = observations(report, "container");
        Map<String, String> seenOnVms = observations(report, "vm");
        seenOnVms.keySet().retainAll(seenInContainers.keySet());
        assertThat(seenInContainers).as("what each cell saw, container lane vs VM lane: the same facts, not only the same outcome")
                .isEqualTo(seenOnVms);
        System.err.printf("lane agreement on %s: %d cells agree; summed cell time container %.1f s, vm %.1f s%n",
                names, container.size(), seconds(report, "container"), seconds(report, "vm"));
    }

    static Map<String, String> outcomes(RunReport report, String lane) {
        Map<String, String> m = new TreeMap<>();
        for (ScenarioResult r : report.results()) {
            if (r.lane().equals(lane)) {
                m.put(r.flavor() + " " + r.scenario(), r.outcome().label());
            }
        }
        return m;
    }

    /**
     * What a cell saw, fact by fact, as the report records it — but the unit's state at the end: after a stop, a node's
     * unit is inactive while the container's stand-in (the exit of the last command run for it) has no such state.
     */
    static Map<String, String> observations(RunReport report, String lane) {
        Map<String, String> m = new TreeMap<>();
        for (ScenarioResult r : report.results()) {
            if (r.lane().equals(lane) && r.outcome() == Outcome.PASSED) {
                m.put(r.flavor() + " " + r.scenario(), java.util.Arrays.stream(r.observed().split("; "))
                        .filter(f -> !f.startsWith("at the end: service ")).collect(java.util.stream.Collectors.joining("; ")));
            }
        }
        return m;
    }

    static double seconds(RunReport report, String lane) {
        return report.results().stream().filter(r -> r.lane().equals(lane)).mapToLong(ScenarioResult::durationMs).sum() / 1000.0;
    }
}
