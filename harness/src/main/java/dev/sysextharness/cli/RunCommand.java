package dev.sysextharness.cli;

import dev.sysextharness.report.Outcome;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.extension.ImageExtension;
import dev.sysextharness.extension.RawExtension;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.KeepRunning;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.report.RunEvents;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.report.ScenarioResult;
import dev.sysextharness.scenario.KeptNode;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.scenario.ScenarioRun;
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

    static final String AUTO_JOBS = "the host's cores, at most one per 2 GiB of memory and one per judged cell";

    @Option(names = "--jobs", paramLabel = "N",
            description = "Scenarios run at once, each on its own VM; under TCG they share the host's cores, at most cores/N"
                    + " vCPUs each (default: " + AUTO_JOBS + "; measured: see README).")
    Integer jobs;

    /** The scenarios this run runs at once: --jobs, or what {@link #jobs(List)} decided from the plan. */
    private int atOnce = 1;

    @Option(names = "--extension", paramLabel = "DIR|IMAGE|FILE.raw",
            description = "Certify your own extension: a directory with extension.yaml and rootfs/ (see images/extensions/),"
                    + " an OCI image HOST[:PORT]/REPO[:TAG] in a registry that speaks plain HTTP (e.g. a local registry:2),"
                    + " or a squashfs NAME.raw file."
                    + " Runs the certification scenarios with it on every --flavor.")
    String extension;

    @Option(names = "--allow-all-skipped",
            description = "Exit 0 even when every selected cell is skipped (by default a run that judges nothing fails).")
    boolean allowAllSkipped;

    @Option(names = "--events", paramLabel = "FILE",
            description = "Also write the run's progress to FILE as JSON lines (run-start, cell-start, cell-end, run-end), one per line as it happens.")
    Path eventsFile;

    @Mixin
    RerunOption rerun;

    @Option(names = "--keep",
            description = "Leave the VM node of the first cell that fails or errs running after the run, print how to log in,"
                    + " and stop it when Enter (or Ctrl-C) is pressed.")
    boolean keep;

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
            return readable(path);
        }
        if (Files.isRegularFile(path)) {
            progress.step("unpacking your extension image " + source + " to read what it ships");
            return readable(RawExtension.materialize(path, workDir));
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
        return readable(home);
    }

    /** {@code home}, once the oracle can read its definition and every ELF file it ships (else one line naming the file). */
    private static Path readable(Path home) {
        dev.sysextharness.sysext.SharedLibraries.shippedBy(ExtensionCatalog.load(home));
        return home;
    }

    RunConfiguration configuration() {
        return common.configuration(selection.flavorNames, registryOption);
    }

    /** The scenario run this command's options describe (lanes, selection, configuration), before anything starts. */
    ScenarioRun scenarioRun(RunConfiguration config, List<Flavor> flavors) {
        ScenarioRun run = selection.scenarioRun(config, flavors).cold(cold).allowAllSkipped(allowAllSkipped).keep(keep);
        return jobs == null ? run : run.jobs(jobs); // without --jobs: decided from the plan (see autoJobs)
    }

    /** The --jobs this run takes: the user's, or {@link ScenarioRun#autoJobs} of the cells it will run. */
    int jobs(List<PlannedCell> cells) {
        return jobs != null ? jobs : ScenarioRun.autoJobs(cells);
    }

    @Override
    public Integer call() throws Exception {
        // Everything a user can get wrong is checked before anything is written or started.
        Path reports = reportDir != null ? reportDir : configuration().workspace().reportsDir();
        if (!rerun.narrow(selection, reports)) {
            if (eventsFile != null) { // an events file of an earlier run must not read as this one's
                checkEventsFile();
                RunEvents.nothingRan(eventsFile, "nothing to rerun");
            }
            return ExitCodes.OK;
        }
        RunConfiguration config = configuration();
        List<Lane> lanes = selection.lanes();
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        ScenarioRun run = scenarioRun(config, flavors);
        isoOptions.check(flavors);
        checkEventsFile();
        Shard shard = selection.shard();
        String runId = runIdOption == null ? RunIds.fresh() : runIdOption;
        Path dir = RunIds.newReportDir(reports, runId, "--run-id");
        Progress progress = Progress.to(System.out);
        List<PlannedCell> plan;
        try {
            // a bad definition or an image that cannot be pulled stops here with one line, before anything boots
            plan = run.extension(extension == null ? null : userExtension(extension, dir.resolve("extension"), progress)).plan();
        } catch (RuntimeException e) {
            dev.sysextharness.host.Trees.delete(dir); // the user's mistake leaves nothing behind
            throw e;
        }
        List<PlannedCell> toRun = plan;
        if (shard != null) {
            SelectionOptions.ShardPlan part = SelectionOptions.planShard(shard, plan, reports);
            if (part.mine().isEmpty()) {
                // a CI matrix has a fixed N: an empty shard succeeds, and its report still says which plan it belongs to
                System.out.printf("shard %s: none of the %d selected cells fell to this shard; nothing to run%n", shard, plan.size());
                RunReport empty = new RunReport(runId, dir, flavors).shard(part.part());
                empty.write();
                try (RunEvents events = events()) {
                    events.runStart(empty);
                    events.runEnd(empty, ExitCodes.OK);
                }
                System.out.println("report: " + dir.resolve("index.html"));
                return ExitCodes.OK;
            }
            Set<String> mine = part.mine();
            run.onlyCells(mine).shard(part.part());
            toRun = plan.stream().filter(c -> mine.contains(c.key())).toList();
            progress.step(part.line() + "; plan " + part.part().plan());
        }
        atOnce = jobs(toRun);
        run.jobs(atOnce);
        RunEvents events;
        try {
            HostTools.requireAll();
            events = events();
        } catch (RuntimeException e) {
            dev.sysextharness.host.Trees.delete(dir); // nothing ran: nothing is left (a fixed --run-id can be used again)
            throw e;
        }
        try (events) {
            try {
                return execute(run, config, flavors, lanes, ws, runId, dir, progress, events, shard != null);
            } catch (Exception e) {
                // a reader of the events must learn that the run ended, and how, not wait for a run-end that never comes
                events.runFailed(e, e instanceof ConfigException || e instanceof IllegalArgumentException ? ExitCodes.USAGE
                        : ExitCodes.INFRASTRUCTURE);
                throw e;
            }
        }
    }

    /** A usage error, before anything is written, when --events names a directory or a file in no directory. */
    private void checkEventsFile() {
        if (eventsFile == null) {
            return;
        }
        if (Files.isDirectory(eventsFile)) {
            throw new ConfigException("--events " + eventsFile + ": is a directory; give a file to write the events to");
        }
        Path parent = eventsFile.toAbsolutePath().getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new ConfigException("--events " + eventsFile + ": " + parent + " is not a directory");
        }
    }

    /** The events file, opened (created or truncated) just before the run starts. */
    private RunEvents events() {
        if (eventsFile == null) {
            return RunEvents.none();
        }
        try {
            return RunEvents.to(eventsFile);
        } catch (java.io.IOException e) {
            throw new ConfigException("--events " + eventsFile + ": cannot write it (" + e.getMessage() + ")");
        }
    }

    private int execute(ScenarioRun run, RunConfiguration config, List<Flavor> flavors, List<Lane> lanes, Workspace ws, String runId,
                        Path dir, Progress progress, RunEvents events, boolean sharded) throws Exception {
        progress.step("run " + runId + " on " + config.flavors() + " in lane " + selection.lane + ", " + atOnce
                + (atOnce == 1 ? " scenario" : " scenarios") + " at once" + (jobs == null ? " (--jobs not given: " + AUTO_JOBS + ")" : "")
                + "; report in " + dir);
        isoOptions.prepare(flavors, new FlavorImages(ws), progress); // a missing Kairos ISO: one line, before anything boots
        if (lanes.contains(Lane.CONTAINER)) {
            try {
                DockerImages.of(DockerEngine.shared(ws.cache().root()));
            } catch (DockerEngine.Unavailable e) {
                if (!lanes.contains(Lane.VM)) {
                    System.err.println("error: container lane unavailable: " + e.getMessage());
                    events.runFailed(e, ExitCodes.INFRASTRUCTURE);
                    return ExitCodes.INFRASTRUCTURE;
                }
                System.out.println("container lane unavailable, running the VM lane only: " + e.getMessage());
                run.lanes(List.of(Lane.VM));
            }
        }
        if (keep && lanes.contains(Lane.CONTAINER)) {
            System.out.println("--keep keeps VM nodes only: cells in the container lane end as usual");
        }
        List<String> source = new java.util.ArrayList<>();
        if (extension != null) {
            source.addAll(List.of("--extension", extension));
        }
        if (selection.scenarios != null) {
            source.addAll(List.of("--scenarios", selection.scenarios.toString()));
        }
        run.progress(progress).events(events).sourceOptions(source);
        isoOptions.passTo(run);
        RunReport report = run.execute(runId, dir);

        // a shard's cells may all be skipped ones: the whole selection was checked to judge something
        int exit = summarize(report, allowAllSkipped || sharded);
        events.runEnd(report, exit);
        if (run.kept().isPresent()) {
            keepForAPerson(run.kept().get());
        }
        return exit;
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

    /** The kept node of a failed cell: how to reach it, then running until Enter or Ctrl-C. */
    private static void keepForAPerson(KeptNode kept) throws InterruptedException {
        Node node = kept.node().orElseThrow();
        System.out.printf("%nkept        the node of %s, still running%n", kept.cell());
        System.out.printf("ssh         ssh -p %d %s@127.0.0.1 (password: %s)%n", node.vm().sshPort(), node.flavor().login().user(),
                node.flavor().login().password());
        System.out.printf("serial log  %s%n", node.vm().serialLog());
        System.out.printf("evidence    %s (boot this disk again later: sysext-harness boot --from %s)%n", kept.evidenceDir(),
                kept.evidenceDir());
        System.out.println("Press Enter (or Ctrl-C) to stop the node.");
        KeepRunning.until(node, KeepRunning.enterOn(System.in), System.out); // prints how it ended
    }
}
