package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's goals: a line per goal, met only when measured and within its limit; --check wants every one met. */
class BenchGoalsTest {
    private static Map<String, Double> allAtTheirLimits() {
        Map<String, Double> f = new HashMap<>();
        BenchGoals.GOALS.forEach(g -> f.put(g.figure(), g.limit()));
        return f;
    }

    @Test
    void aGoalIsMetAtItsLimitMissedAboveItAndNotMeasuredWithoutItsFigure() {
        Map<String, Double> f = allAtTheirLimits();
        assertThat(BenchGoals.allMet(BenchGoals.judge(f))).as("every figure exactly at its limit").isTrue();

        f.put("restore_ready_s", 0.61);
        f.remove("matrix_all_s");
        List<BenchGoals.Line> lines = BenchGoals.judge(f);
        assertThat(lines).extracting(l -> l.goal().figure() + " " + l.verdict())
                .contains("restore_ready_s MISSED", "matrix_all_s not measured", "suite_restore_s met");
        assertThat(BenchGoals.allMet(lines)).isFalse();
        assertThat(lines.stream().filter(l -> l.goal().figure().equals("restore_ready_s")).findFirst().orElseThrow().describe())
                .startsWith("restore_ready_s").contains("0.610", "(goal <= 0.6) MISSED");

        f.put("restore_ready_s", 0.3);
        f.put("matrix_all_s", Double.NaN);
        assertThat(BenchGoals.judge(f)).filteredOn(l -> l.goal().figure().equals("matrix_all_s")).singleElement()
                .satisfies(l -> assertThat(l.verdict()).as("NaN: nothing to measure it on").isEqualTo("not measured"));
    }

    @Test
    void theWorstRoundCountsNotTheMedian() {
        assertThat(BenchGoals.worstRatio(List.of(30.0, 27.0, 40.0), List.of(30.0, 30.0, 35.0))).isEqualTo(40.0 / 35.0);
        assertThatThrownBy(() -> BenchGoals.worstRatio(List.of(1.0), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRoundIsPricedAgainstTheBareBootsEitherSideOfIt() {
        // bare 10, harness 9.5, bare 11 (slower machine from here), harness 11.2, bare 11.4
        List<Double> ratios = BenchGoals.bracketedRatios(List.of(9.5, 11.2), List.of(10.0, 11.0, 11.4));
        assertThat(ratios).containsExactly(9.5 / 10.5, 11.2 / 11.2);
        assertThat(BenchGoals.worstRatio(List.of(9.5, 11.2), List.of(10.0, 11.0)))
                .as("paired with the bare boot before it alone, the slowdown lands on the harness's round")
                .isEqualTo(11.2 / 11.0);
        assertThatThrownBy(() -> BenchGoals.bracketedRatios(List.of(9.5, 11.2), List.of(10.0, 11.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rounds and 2 brackets");
        assertThatThrownBy(() -> BenchGoals.bracketedRatios(List.of(), List.of(10.0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRebootCellIsSplitIntoItsRebootsAndTheRest(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
        Path one = java.nio.file.Files.createDirectories(dir.resolve("one"));
        java.nio.file.Files.writeString(one.resolve("result.json"), "{\"reboots\" : \"1\", \"rebootMs\" : \"9400\"}");
        Path two = java.nio.file.Files.createDirectories(dir.resolve("two"));
        java.nio.file.Files.writeString(two.resolve("result.json"), "{\"reboots\" : \"2\", \"rebootMs\" : \"20000\"}");
        Path older = java.nio.file.Files.createDirectories(dir.resolve("older")); // a result.json from before rebootMs
        java.nio.file.Files.writeString(older.resolve("result.json"), "{\"reboots\" : \"1\"}");
        RunReport run = new RunReport("bench", dir, List.of());
        run.add(new ScenarioResult("debian-12", "vm", "A.one", Outcome.PASSED, "e", "o", 12_000, one.toString(), 1, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "B.two", Outcome.PASSED, "e", "o", 24_000, two.toString(), 2, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "C.older", Outcome.PASSED, "e", "o", 11_000, older.toString(), 1, "restore"));

        assertThat(BenchGoals.rebootCells(run)).extracting(BenchGoals.RebootCell::scenario).as("slowest first")
                .containsExactly("B.two", "A.one", "C.older");
        BenchGoals.RebootCell a = BenchGoals.rebootCells(run).get(1);
        assertThat(a.rebootS()).isEqualTo(9.4);
        assertThat(a.restS()).isCloseTo(2.6, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(BenchGoals.rebootCells(run).get(2).rebootS()).as("no rebootMs: unknown, not zero").isNaN();
        assertThat(BenchGoals.worstRebootCell(BenchGoals.rebootCells(run), 8.0)).as("A: 12 s for one reboot").isEqualTo(12.0 / 8.0);
        assertThat(BenchGoals.worstRebootAlone(BenchGoals.rebootCells(run), 8.0)).as("B: 10 s a reboot, the worst; C says nothing").isEqualTo(10.0 / 8.0);
    }

    @Test
    void aRebootCellIsPricedPerRebootAgainstAColdBootAndOnlyWhenItPassed() {
        RunReport run = new RunReport("bench", Path.of("/tmp/bench"), List.of());
        run.add(new ScenarioResult("debian-12", "vm", "A.oneReboot", Outcome.PASSED, "e", "o", 36_000, "/ev/a", 1, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "B.twoReboots", Outcome.PASSED, "e", "o", 66_000, "/ev/b", 2, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "C.failedReboot", Outcome.FAILED, "e", "o", 200_000, "/ev/c", 1, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "D.noReboot", Outcome.PASSED, "e", "o", 90_000, "/ev/d", 0, "restore"));

        assertThat(BenchGoals.worstRebootCell(BenchGoals.rebootCells(run), 30.0)).isEqualTo(1.2);
        assertThat(BenchGoals.worstRebootCell(BenchGoals.rebootCells(new RunReport("empty", Path.of("/tmp/e"), List.of())), 30.0)).isNaN();
    }

    @Test
    void aCellWhoseNodeWasFirstColdBootedAndSavedPricesNeitherARestoreNorAReboot(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path saved = java.nio.file.Files.createDirectories(dir.resolve("saved").resolve(dev.sysextharness.guest.NodeLauncher.SAVED_FIRST_DIR))
                .getParent();
        Path restored = java.nio.file.Files.createDirectories(dir.resolve("restored"));
        RunReport run = new RunReport("bench", dir, List.of());
        run.add(new ScenarioResult("debian-12", "vm", "A.savedThenRebooted", Outcome.PASSED, "e", "o", 90_000, saved.toString(), 1, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "B.rebooted", Outcome.PASSED, "e", "o", 36_000, restored.toString(), 1, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "C.plain", Outcome.PASSED, "e", "o", 3_000, restored.toString(), 0, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "D.savedPlain", Outcome.PASSED, "e", "o", 50_000, saved.toString(), 0, "restore"));
        run.add(new ScenarioResult("debian-12", "vm", "E.plain", Outcome.PASSED, "e", "o", 5_000, restored.toString(), 0, "restore"));

        assertThat(BenchGoals.savedAStateFirst(run.results().get(0))).isTrue();
        assertThat(BenchGoals.worstRebootCell(BenchGoals.rebootCells(run), 30.0)).as("the reboot cell that saved first is left out").isEqualTo(1.2);
        assertThat(BenchCommand.nonRebootMedian(run)).as("median of 3 s and 5 s, without the 50 s save").isEqualTo(4.0);
    }
}
