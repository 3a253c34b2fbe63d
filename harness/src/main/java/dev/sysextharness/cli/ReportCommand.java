package dev.sysextharness.cli;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.ReportMerge;
import dev.sysextharness.report.RunIds;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Work on finished runs' reports: {@code report merge} combines shards (or a run and its rerun) into one report. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Work on finished runs' report directories.",
        subcommands = ReportCommand.Merge.class)
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return ExitCodes.USAGE;
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Merge runs' reports (the shards of one plan, or a run and a rerun of some cells) into one: summary.json"
                    + " and index.html whose evidence links lead into the runs' directories. Refuses runs of different harness"
                    + " versions, shards of different plans, partial runs, and cells two runs judged differently; a shard that"
                    + " never reported leaves its cells as errors. Exit code as run's.")
    static final class Merge implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Report directories of finished runs (each with summary.json).")
        List<Path> dirs;

        @Option(names = "--out", paramLabel = "DIR", description = "Where the merged report goes (default: merged-<run id> beside the first DIR); must not exist or be empty.")
        Path out;

        @Option(names = "--prefer", paramLabel = "DIR", description = "The run (one of the DIRs) whose cells win where runs disagree.")
        Path prefer;

        @Option(names = "--allow-partial", description = "Merge whole runs whose summary says \"complete\": false (killed runs) too, their unjudged cells as errors; a killed shard merges without it.")
        boolean allowPartial;

        @Override
        public Integer call() throws Exception {
            List<RunSummary> runs = dirs.stream().map(RunSummary::read).toList();
            ReportMerge.Merged merged = ReportMerge.merge(runs, prefer, allowPartial);
            String runId = RunIds.fresh();
            Path dir = (out != null ? out : runs.get(0).dir().getParent().resolve("merged-" + runId)).toAbsolutePath().normalize();
            if (Files.exists(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new ConfigException("report merge: --out " + dir + " exists and is not empty");
                    }
                }
            }
            Workspace ws = Workspace.locate(null);
            RunReport report = ReportMerge.report(merged, dir.getFileName().toString(), dir, ws.flavors()::load);
            report.write();
            System.out.printf("merged %d runs (%s)%s%n", runs.size(), String.join(", ", runs.stream().map(RunSummary::runId).toList()),
                    merged.missing() > 0 ? "; " + merged.missing() + " cells no run reported" : "");
            return RunCommand.summarize(report, false);
        }
    }
}
