package dev.sysextharness.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Json;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.sysextharness.scenario.Shard;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.sysext.MergeOracle;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The cells a run with the same selection would execute, each judged or skipped with the reason, and nothing started. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the cells (scenario x flavor x lane) that run would execute with the same selection, each marked"
                + " judged or skipped with the reason the gate gives; nothing is built, booted or started.")
final class ListCommand implements Callable<Integer> {
    @Mixin
    SelectionOptions selection;

    @Option(names = "--extension", paramLabel = "DIR|IMAGE|FILE.raw", description = "As for run: the certification cells.")
    String extension;

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "With --shard: where earlier runs' reports are, whose durations balance the split, as for run (default: reports/).")
    Path reportDir;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Mixin
    RerunOption rerun;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        // where earlier runs are: the run to rerun from, and the durations a shard split is balanced by
        Path reports = reportDir != null ? reportDir : common.configuration(selection.flavorNames).workspace().reportsDir();
        if (!rerun.narrow(selection, reports)) {
            return ExitCodes.OK;
        }
        RunConfiguration config = common.configuration(selection.flavorNames);
        Workspace ws = config.workspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        Path work = Files.createTempDirectory("sysext-harness-list");
        try {
            ScenarioRun run = selection.scenarioRun(config, flavors)
                    .allowAllSkipped(true)
                    .extension(extension == null ? null : RunCommand.userExtension(extension, work.resolve("extension"), Progress.silent()));
            List<PlannedCell> cells = run.plan();
            Map<String, String> predictions = extension == null ? Map.of() : predictions(run.extensionDefinition(), flavors, ws);
            Shard shard = selection.shard();
            String shardLine = null;
            if (shard != null) {
                SelectionOptions.ShardPlan part = SelectionOptions.planShard(shard, cells, reports);
                Set<String> mine = part.mine();
                shardLine = part.line();
                cells = cells.stream().filter(c -> mine.contains(c.key())).toList();
            }
            if (json) {
                ArrayNode arr = Json.mapper().createArrayNode();
                cells.forEach(c -> arr.addObject().put("scenario", c.scenario()).put("flavor", c.flavor()).put("lane", c.lane())
                        .put("judged", c.judged()).put("skipReason", c.skipReason())
                        .put("prediction", c.judged() ? predictions.get(c.flavor()) : null));
                System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            } else {
                for (PlannedCell c : cells) {
                    System.out.printf("%-80s %-22s %-9s %s%n", c.scenario(), c.flavor(), c.lane(),
                            c.judged() ? "judged" + (predictions.containsKey(c.flavor()) ? " — oracle: " + predictions.get(c.flavor()) : "")
                                    : "skipped: " + c.skipReason());
                }
                System.out.printf("%d cells, %d judged, %d skipped%n", cells.size(), cells.stream().filter(PlannedCell::judged).count(),
                        cells.stream().filter(c -> !c.judged()).count());
                if (shardLine != null) {
                    System.out.println(shardLine);
                }
            }
            return ExitCodes.OK;
        } finally {
            dev.sysextharness.host.Trees.delete(work);
        }
    }

    /**
     * The oracle's verdict on the author's extension for each flavor, as lint gives it (merged or not, why, the
     * refresh's exit): what the certification cells will check. A flavor whose image is not built yet has no
     * prediction (its os-release is unknown until then), and says so.
     */
    private static Map<String, String> predictions(Path definition, List<Flavor> flavors, Workspace ws) {
        Extension ext = ExtensionCatalog.load(definition);
        MergeOracle.Image image = LintCommand.imageOf(ext);
        Map<String, String> out = new LinkedHashMap<>();
        for (Flavor f : flavors) {
            try {
                LintCommand.Verdict v = LintCommand.judge(f, image, ext, ws, java.util.Set.of());
                MergeOracle.Prediction p = v.prediction();
                out.put(f.name(), (v.merged() ? "merged on " + String.join(" ", p.mergedHierarchies()) : "not merged: " + p.fate(image.path()).reason())
                        + "; refresh exits " + p.exitStatus());
            } catch (ConfigException e) {
                out.put(f.name(), "unknown until the flavor's image is built (sysext-harness build --flavor " + f.name() + ")");
            }
        }
        return out;
    }
}
