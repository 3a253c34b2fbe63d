package dev.sysextharness.cli;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench} is held to, as data: each goal names a figure the bench measures (or derives from its rounds) and
 * the most it may be. The limits are issue 17's; a goal whose figure was not measured (a stage skipped) is neither met
 * nor missed, and {@code bench --check} fails on it as on a miss.
 */
final class BenchGoals {
    /** One goal: {@code figure} (a key of the bench's figures) at most {@code limit}. */
    record Goal(String figure, String meaning, double limit) {
    }

    /** A goal against one run's figures: its value, or null when the figure was not measured. */
    record Line(Goal goal, Double value) {
        boolean measured() {
            return value != null && !value.isNaN();
        }

        boolean met() {
            return measured() && value <= goal.limit();
        }

        String verdict() {
            return !measured() ? "not measured" : met() ? "met" : "MISSED";
        }

        String describe() {
            return String.format("%-36s %10s  (goal <= %s) %s — %s", goal.figure(), measured() ? String.format("%.3f", value) : "-",
                    trim(goal.limit()), verdict(), goal.meaning());
        }

        private static String trim(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }

    static final List<Goal> GOALS = List.of(
            new Goal("restore_over_cold", "restore_ready_s / cold_ready_s", 0.02),
            new Goal("restore_ready_s", "a restored node ready after it was asked for, as run starts one (made ahead), median of the rounds", 0.6),
            new Goal("scenario_marginal_median_s", "median wall time of a non-reboot cell, whole suite on restored nodes", 1.8),
            new Goal("core_marginal_median_s", "the same over the core set", 2.5),
            new Goal("suite_restore_s", "the default suite on restored nodes, one flavor, wall, as run runs it without --jobs", 150),
            new Goal("core_set_restore_s", "the core set on restored nodes, --jobs 1, wall", 180),
            new Goal("reboot_cell_over_cold_max", "worst reboot cell of the suite: its wall time per reboot / cold_ready_s", 1.2),
            new Goal("cold_over_bare_max", "worst round: harness cold boot to ready / mean of the bare QEMU boots to login: just before and after it", 1.05),
            new Goal("matrix_all_s", "the four reference flavors, both lanes, whole suite, wall", 900));

    private BenchGoals() {
    }

    /** Every goal against {@code figures}, in the table's order. */
    static List<Line> judge(Map<String, Double> figures) {
        return GOALS.stream().map(g -> new Line(g, figures.get(g.figure()))).toList();
    }

    /** Whether every goal was measured and met: what {@code bench --check} asks. */
    static boolean allMet(List<Line> lines) {
        return lines.stream().allMatch(Line::met);
    }

    /** The worst ratio of a round's {@code numerator} to the same round's {@code denominator} (rounds are paired). */
    static double worstRatio(List<Double> numerator, List<Double> denominator) {
        if (numerator.size() != denominator.size() || numerator.isEmpty()) {
            throw new IllegalArgumentException("paired rounds expected, got " + numerator.size() + " and " + denominator.size());
        }
        double worst = 0;
        for (int i = 0; i < numerator.size(); i++) {
            worst = Math.max(worst, numerator.get(i) / denominator.get(i));
        }
        return worst;
    }

    /**
     * Each round's ratio of {@code inner.get(i)} to the mean of the two {@code brackets} measured just before and just
     * after it ({@code brackets.get(i)} and {@code brackets.get(i + 1)}): a slowdown of the machine that spans a round
     * weighs on both sides of the ratio, where a pair measured one after the other puts it on whichever came second.
     */
    static List<Double> bracketedRatios(List<Double> inner, List<Double> brackets) {
        if (inner.isEmpty() || brackets.size() != inner.size() + 1) {
            throw new IllegalArgumentException("one more bracket than rounds expected, got " + inner.size() + " rounds and "
                    + brackets.size() + " brackets");
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < inner.size(); i++) {
            ratios.add(inner.get(i) / ((brackets.get(i) + brackets.get(i + 1)) / 2));
        }
        return ratios;
    }

    /**
     * Whether the cell's node was made by a cold boot and a save before its restore (the first use of a state on this
     * machine: a different disk, firmware store or format): that cell's wall time holds a whole boot, so it prices
     * neither a restored cell nor a reboot. The stage's wall keeps it; the per-cell figures leave it out.
     */
    static boolean savedAStateFirst(ScenarioResult r) {
        return java.nio.file.Files.isDirectory(Path.of(r.evidence()).resolve(dev.sysextharness.guest.NodeLauncher.SAVED_FIRST_DIR));
    }

    /** A reboot cell the reboot goals price: passed, and restored without a save first. */
    private static boolean pricedRebootCell(ScenarioResult r) {
        return r.reboots() > 0 && r.outcome() == Outcome.PASSED && !savedAStateFirst(r);
    }

    /**
     * The worst of {@code cells} (a run's priced reboot cells, {@link #rebootCells}): its wall time divided by its
     * reboots and by {@code coldReadyS}; NaN when there is none (the goal reads as not measured).
     */
    static double worstRebootCell(List<RebootCell> cells, double coldReadyS) {
        return cells.stream().mapToDouble(c -> c.wallS() / c.reboots() / coldReadyS).max().orElse(Double.NaN);
    }

    /**
     * The same cells' reboots alone (request to the new boot's readiness, as the cell's result.json says) per reboot
     * over {@code coldReadyS}: what the harness's reboot costs against its cold boot, the cell's own commands set apart.
     * NaN when no such cell says how long its reboots took.
     */
    static double worstRebootAlone(List<RebootCell> cells, double coldReadyS) {
        return cells.stream().filter(c -> !Double.isNaN(c.rebootS()))
                .mapToDouble(c -> c.rebootS() / c.reboots() / coldReadyS).max().orElse(Double.NaN);
    }

    /** A priced reboot cell's wall time split into its reboots and the rest (restore, its own commands, evidence). */
    record RebootCell(String scenario, double wallS, int reboots, double rebootS) {
        double restS() {
            return wallS - rebootS;
        }
    }

    /**
     * The priced reboot cells of {@code run} (passed, restored without a save first), slowest first; rebootS is NaN
     * where result.json does not say.
     */
    static List<RebootCell> rebootCells(RunReport run) {
        return run.results().stream().filter(BenchGoals::pricedRebootCell)
                .map(r -> new RebootCell(r.scenario(), r.durationMs() / 1000.0, r.reboots(), rebootSeconds(Path.of(r.evidence()))))
                .sorted(java.util.Comparator.comparingDouble(RebootCell::wallS).reversed()).toList();
    }

    /** {@link ScenarioResult#REBOOT_MS} from the result.json in {@code evidence}, in seconds; NaN when there is none to read. */
    static double rebootSeconds(Path evidence) {
        try {
            JsonNode ms = Json.mapper().readTree(evidence.resolve("result.json").toFile()).path(ScenarioResult.REBOOT_MS);
            return ms.isMissingNode() ? Double.NaN : Long.parseLong(ms.asText()) / 1000.0;
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }
}
