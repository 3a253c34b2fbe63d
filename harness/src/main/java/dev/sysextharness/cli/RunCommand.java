package dev.sysextharness.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.ReportListener;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.scenario.ScenarioSession;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The main job: the scenario suite on one or more flavors, through the JUnit Platform, writing a report. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the scenarios (the same classes mvn verify runs) on the given flavors and write reports/<run-id>/: "
                + "JUnit XML, summary.json and index.html (a flavor x scenario matrix linking to the evidence).")
final class RunCommand implements Callable<Integer> {
    static final String SCENARIO_PACKAGE = "dev.sysextharness.scenarios";

    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, split = ",", paramLabel = "NAME[,NAME...]",
            description = "Flavors from vm-configs/ (default: ${DEFAULT-VALUE}).")
    List<String> flavorNames;

    @Option(names = "--scenario", paramLabel = "GLOB",
            description = "Only scenarios whose Class.method (or method) matches, e.g. '*Layout*' or 'KairosLayoutScenarios.*'.")
    String scenarioGlob;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Parent of the run's report directory (default: reports/).")
    Path reportDir;

    @Option(names = "--cold", description = "Cold-boot every node instead of restoring a saved ready state.")
    boolean cold;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Workspace ws = common.workspace();
        List<Flavor> flavors = flavorNames.stream().map(ws.flavors()::load).toList();
        HostTools.requireAll();
        String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = (reportDir != null ? reportDir : ws.reportsDir()).resolve(runId).toAbsolutePath();
        Progress progress = Progress.to(System.out);
        progress.step("run " + runId + " on " + flavorNames + "; report in " + dir);

        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(SCENARIO_PACKAGE))
                .configurationParameter(ScenarioSession.FLAVORS, String.join(",", flavorNames))
                .configurationParameter(ScenarioSession.ACCEL, common.accel)
                .configurationParameter(ScenarioSession.COLD, Boolean.toString(cold))
                .configurationParameter(ScenarioSession.EVIDENCE_DIR, dir.resolve("evidence").toString());
        if (common.cacheDir != null) {
            request.configurationParameter(ScenarioSession.CACHE_DIR, common.cacheDir.toString());
        }
        if (scenarioGlob != null) {
            request.filters(scenarioFilter(scenarioGlob));
        }
        LauncherDiscoveryRequest discovery = request.build();

        RunReport report = new RunReport(runId, dir, flavors);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        var launcher = LauncherFactory.create();
        var plan = launcher.discover(discovery);
        if (plan.countTestIdentifiers(t -> t.isContainer() && t.getUniqueId().contains("test-template:")) == 0) {
            throw new IllegalArgumentException("--scenario '" + scenarioGlob + "' matches no scenario");
        }
        launcher.execute(plan, new ReportListener(report, progress), summary,
                new LegacyXmlReportGeneratingListener(dir.resolve("junit"), new PrintWriter(System.out)));
        report.write();

        System.out.printf("%n%d passed, %d failed, %d error, %d skipped%nreport: %s%n",
                report.count("passed"), report.count("failed"), report.count("error"), report.count("skipped"),
                dir.resolve("index.html"));
        if (report.count("error") > 0) {
            return ExitCodes.INFRASTRUCTURE;
        }
        return report.count("failed") > 0 ? ExitCodes.SCENARIO_FAILED : ExitCodes.OK;
    }

    /** Matches a glob against "Class.method" and against the method name alone. */
    static PostDiscoveryFilter scenarioFilter(String glob) {
        Pattern p = Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                .reduce((a, b) -> a + ".*" + b).orElse(""));
        return (TestDescriptor d) -> {
            if (d.getSource().orElse(null) instanceof MethodSource m) {
                String simple = m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1);
                boolean match = p.matcher(simple + "." + m.getMethodName()).matches() || p.matcher(m.getMethodName()).matches();
                return match ? FilterResult.included(glob) : FilterResult.excluded("does not match " + glob);
            }
            return FilterResult.included("container");
        };
    }
}
