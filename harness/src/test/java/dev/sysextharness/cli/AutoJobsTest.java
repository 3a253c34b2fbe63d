package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.scenario.ScenarioRun;
import dev.sysextharness.scenario.SessionParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Without {@code --jobs}, {@code run} runs one scenario per host core at once, at most one per 2 GiB of host memory
 * and one per cell it will judge; {@code --jobs N} given is taken as it is.
 */
class AutoJobsTest {
    private static final long GIB = 1L << 30;

    private static List<PlannedCell> cells(int judged, int skipped) {
        List<PlannedCell> plan = new ArrayList<>();
        IntStream.range(0, judged).forEach(i -> plan.add(new PlannedCell("S.judged" + i, "debian-12", "vm", null, "t" + i)));
        IntStream.range(0, skipped).forEach(i -> plan.add(new PlannedCell("S.skipped" + i, "debian-12", "vm", "gated", "u" + i)));
        return plan;
    }

    @Test
    void oneScenarioPerCoreWhereMemoryAndCellsAllowIt() {
        assertThat(ScenarioRun.autoJobs(2, 24 * GIB, cells(52, 18))).as("this machine: 2 cores, 24 GiB, the default suite").isEqualTo(2);
        assertThat(ScenarioRun.autoJobs(8, 24 * GIB, cells(52, 0))).as("8 cores, 24 GiB").isEqualTo(8);
    }

    @Test
    void memoryBoundsIt() {
        assertThat(ScenarioRun.autoJobs(8, 6 * GIB, cells(52, 0))).as("8 cores but 6 GiB: three 2 GiB shares").isEqualTo(3);
        assertThat(ScenarioRun.autoJobs(8, GIB, cells(52, 0))).as("less than one share still runs one").isEqualTo(1);
    }

    @Test
    void aRunOfOneJudgedCellRunsItAloneWithTheFlavorsVcpus() {
        assertThat(ScenarioRun.autoJobs(2, 24 * GIB, cells(1, 30))).as("skipped cells take no job").isEqualTo(1);
        assertThat(ScenarioRun.autoJobs(4, 24 * GIB, cells(0, 5))).as("nothing judged").isEqualTo(1);
    }

    private static final List<Flavor> DEBIAN_12 = List.of(Workspace.locate(null).flavors().load("debian-12"));

    @Test
    void runWithoutJobsDecidesFromThePlanAndGivenJobsStand() {
        RunCommand auto = new RunCommand();
        new CommandLine(auto).parseArgs("--flavor", "debian-12");
        assertThat(auto.scenarioRun(auto.configuration(), DEBIAN_12).parameters())
                .as("no --jobs: nothing decided before the plan").doesNotContainKey(SessionParameters.JOBS);
        assertThat(auto.jobs(cells(1, 0))).as("one judged cell").isEqualTo(1);
        assertThat(auto.jobs(cells(40, 0))).isEqualTo(ScenarioRun.autoJobs(cells(40, 0)));

        RunCommand given = new RunCommand();
        new CommandLine(given).parseArgs("--jobs", "3");
        assertThat(given.scenarioRun(given.configuration(), DEBIAN_12).parameters()).containsEntry(SessionParameters.JOBS, "3");
        assertThat(given.jobs(cells(1, 0))).as("--jobs 3 given, one cell").isEqualTo(3);
    }
}
