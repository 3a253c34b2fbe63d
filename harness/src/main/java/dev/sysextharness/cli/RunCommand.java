package dev.sysextharness.cli;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.extension.ImageExtension;
import dev.sysextharness.extension.LayerFlattener;
import dev.sysextharness.extension.RawExtension;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
import dev.sysextharness.report.PlanShard;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.report.RunIds;
import dev.sysextharness.scenario.Shard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The main job: the scenario suite on one or more flavors, through the JUnit Platform, writing a report. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the scenarios (the same classes mvn verify runs) on the given flavors and write reports/<run-id>/: "
                + "JUnit XML, summary.json and index.html (a flavor x scenario matrix linking to the evidence).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    SelectionOptions selection;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Parent of the run's report directory (default: reports/).")
    Path reportDir;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Name of the run's report directory (letters, digits, '.', '_', '-'; default: the time and a random"
                    + " suffix, unique across machines). A directory of that name that exists already is refused.")
    String runIdOption;

    @Option(names = "--cold", description = "Cold-boot every node instead of restoring a saved ready state.")
    boolean cold;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "Scenarios run at once, each on its own VM (default: ${DEFAULT-VALUE}; measured: see README).")
    int jobs;

    @Option(names = "--extension", paramLabel = "DIR|IMAGE|FILE.raw",
            description = "Certify your own extension: a directory with extension.yaml and rootfs/ (see images/extensions/),"
                    + " an OCI image HOST[:PORT]/REPO[:TAG] in a registry that speaks plain HTTP (e.g. a local registry:2),"
                    + " or a squashfs NAME.raw file."
                    + " Runs the certification scenarios with it on every --flavor.")
    String extension;

    @Option(names = "--allow-all-skipped",
            description = "Exit 0 even when every selected cell is skipped (by default a run that judges nothing fails).")
    boolean allowAllSkipped;

    @Mixin
    RegistryOption registryOption;

    @Mixin
    CommonOptions common;

    @Mixin
    IsoOptions isoOptions;

    /** The definition directory of the author's extension: theirs, or one made from their image. */
    static Path userExtension(String source, Path workDir, Progress progress) {
        Path path = Path.of(source);
        if (Files.isDirectory(path)) {
            ExtensionCatalog.load(path);
            return path;
        }
        if (Files.isRegularFile(path)) {
            progress.step("unpacking your extension image " + source + " to read what it ships");
            return RawExtension.materialize(path, workDir);
        }
        if (source.endsWith(".raw")) {
            throw new ConfigException("--extension " + source + ": no such file");
        }
        if (!ImageExtension.isReference(source)) {
            throw new ConfigException("--extension " + source + ": no such directory, and not an image reference HOST[:PORT]/REPO[:TAG]");
        }
        progress.step("pulling your extension " + source);
        Path home = ImageExtension.materialize(source, workDir);
        progress.step("your extension, unpacked as a definition: " + home);
        return home;
    }

    RunConfiguration configuration() {
        return common.configuration(selection.flavorNames, registryOption);
    }

    /** The scenario run this command's options describe (lanes, selection, configuration), before anything starts. */
    ScenarioRun scenarioRun(RunConfiguration config, List<Flavor> flavors) {
        return selection.scenarioRun(config, flavors).cold(cold).jobs(jobs).allowAllSkipped(allowAllSkipped);
    }

    @Override
    public Integer call() throws Exception {
        // Everything a user can get wrong is checked before anything is written or started.
        RunConfiguration config = configuration();
        List<Lane> lanes = selection.lanes();
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        ScenarioRun run = scenarioRun(config, flavors);
        isoOptions.check(flavors);
        Shard shard = selection.shard();
        String runId = runIdOption == null ? RunIds.fresh() : runIdOption;
        Path reports = reportDir != null ? reportDir : ws.reportsDir();
        Path dir = RunIds.newReportDir(reports, runId, "--run-id");
        Progress progress = Progress.to(System.out);
        List<PlannedCell> plan;
        try {
            // a bad definition or an image that cannot be pulled stops here with one line, before anything boots
            plan = run.extension(extension == null ? null : userExtension(extension, dir.resolve("extension"), progress)).plan();
        } catch (RuntimeException e) {
            LayerFlattener.deleteTree(dir); // the user's mistake leaves nothing behind
            throw e;
        }
        if (shard != null) {
            PlanShard part = SelectionOptions.planShard(shard, plan, reports);
            List<String> mine = part.split().get(shard.index());
            if (mine.isEmpty()) {
                // a CI matrix has a fixed N: an empty shard succeeds, and its report still says which plan it belongs to
                System.out.printf("shard %s: none of the %d selected cells fell to this shard; nothing to run%n", shard, plan.size());
                new RunReport(runId, dir, flavors).shard(part).write();
                System.out.println("report: " + dir.resolve("index.html"));
                return ExitCodes.OK;
            }
            run.onlyCells(Set.copyOf(mine)).shard(part);
            progress.step(SelectionOptions.describe(shard, plan, reports) + "; plan " + part.plan());
        }
        HostTools.requireAll();
        progress.step("run " + runId + " on " + config.flavors() + " in lane " + selection.lane + "; report in " + dir);
        isoOptions.prepare(flavors, new FlavorImages(ws), progress); // a missing Kairos ISO: one line, before anything boots
        if (lanes.contains(Lane.CONTAINER)) {
            try {
                DockerImages.of(DockerEngine.shared(ws.cache().root()));
            } catch (DockerEngine.Unavailable e) {
                if (!lanes.contains(Lane.VM)) {
                    System.err.println("error: container lane unavailable: " + e.getMessage());
                    return ExitCodes.INFRASTRUCTURE;
                }
                System.out.println("container lane unavailable, running the VM lane only: " + e.getMessage());
                run.lanes(List.of(Lane.VM));
            }
        }
        run.progress(progress);
        isoOptions.passTo(run);
        RunReport report = run.execute(runId, dir);

        // a shard's cells may all be skipped ones: the whole selection was checked to judge something
        return summarize(report, allowAllSkipped || shard != null);
    }

    /** The counts, a line per failed or errored cell, the report's path; the exit code the run's cells add up to. */
    static int summarize(RunReport report, boolean allowAllSkipped) {
        System.out.printf("%n%d passed, %d failed, %d error, %d skipped%n", report.count(Outcome.PASSED), report.count(Outcome.FAILED),
                report.count(Outcome.ERROR), report.count(Outcome.SKIPPED));
        for (ScenarioResult r : report.results()) {
            if (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR) {
                System.out.printf("%-6s %s [%s/%s]: %s; evidence: %s%n", r.outcome().label(), r.scenario(), r.flavor(), r.lane(), r.headline(),
                        r.evidence());
            }
        }
        System.out.println("report: " + report.dir().resolve("index.html"));
        int exit = ExitCodes.of(report, allowAllSkipped);
        if (ExitCodes.nothingJudged(report) && !allowAllSkipped) {
            System.err.println(ExitCodes.nothingJudgedLine(report));
        }
        return exit;
    }
}
