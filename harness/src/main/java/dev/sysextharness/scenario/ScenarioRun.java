package dev.sysextharness.scenario;

import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.Certifies;
import dev.sysextharness.api.Scenario;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.Progress;
import dev.sysextharness.report.PlanShard;
import dev.sysextharness.report.PlannedCell;
import dev.sysextharness.report.ReportListener;
import dev.sysextharness.report.RunEvents;
import dev.sysextharness.report.RunReport;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * One run of the scenario suite through the JUnit Platform launcher — the same classes mvn verify runs — on some
 * flavors, writing its report. Used by {@code sysext-harness run}, the benchmark and the restore-equivalence test.
 */
public final class ScenarioRun {
    public static final String SCENARIO_PACKAGE = "dev.sysextharness.scenarios";
    /**
     * Only these cells ({@link PlannedCell#key()}, separated by spaces) of the selected scenarios, flavors and lanes:
     * a shard's share, or the cells that failed in an earlier run. Absent: every cell.
     */
    static final String CELLS = "sysext.cells";

    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final List<Flavor> flavors;
    private String scenarioGlob;
    /** The author's own scenarios (a directory of compiled classes or a jar); null: {@link #SCENARIO_PACKAGE}. */
    private Path scenarioRoot;
    private Path extension;
    private Set<String> classes;
    private List<Lane> lanes = List.of(Lane.VM);
    private Lane declaring;
    static final String CERTIFICATION = "CertificationScenarios";
    private Progress progress = Progress.silent();
    private boolean allowAllSkipped;
    private Set<String> cells;
    private RunEvents events = RunEvents.none();
    private String scenarioPackage = SCENARIO_PACKAGE;
    private KeptNode kept;
    private PlanShard shard;
    private List<String> sourceOptions = List.of();

    public ScenarioRun(List<Flavor> flavors) {
        this.flavors = List.copyOf(flavors);
        // ScenarioExtension comes in through META-INF/services: @Scenario names no internal class
        parameters.put("junit.jupiter.extensions.autodetection.enabled", "true");
        parameters.put(RunConfiguration.FLAVORS, String.join(",", flavors.stream().map(Flavor::name).toList()));
    }

    /** The JUnit configuration parameters this run passes to its scenarios. */
    public Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    public ScenarioRun parameter(String key, String value) {
        parameters.put(key, value);
        return this;
    }

    /**
     * The lanes to run in (default: the VM lane only); scenarios run in those of their declared lanes that are
     * selected, and scenarios declaring none of them are left out.
     */
    public ScenarioRun lanes(List<Lane> lanes) {
        this.lanes = List.copyOf(lanes);
        return parameter(SessionParameters.LANES, String.join(",", lanes.stream().map(Lane::label).toList()));
    }

    /** Only scenarios that declare {@code lane} (e.g. the cells both lanes can judge, for comparing them). */
    public ScenarioRun onlyDeclaring(Lane lane) {
        this.declaring = lane;
        return this;
    }

    public ScenarioRun cold(boolean cold) {
        return parameter(SessionParameters.COLD, Boolean.toString(cold));
    }

    /** Host memory given to each scenario run at once by {@link #autoJobs}: a node's 1 GiB, QEMU and the page cache. */
    static final long MEMORY_PER_JOB = 2L << 30;

    /**
     * How many scenarios {@code run} runs at once when {@code --jobs} is not given: one per host core, at most one per
     * {@link #MEMORY_PER_JOB} of host memory and one per cell that will be judged (a run of one cell keeps its node
     * the flavor's vCPUs), and at least one. Under TCG the nodes then share the cores (see NodeLauncher.vcpus): on 2
     * cores the debian-12 suite took 158 s as two one-vCPU nodes at once against 280 s one two-vCPU node at a time
     * (README, "Nodes run at once share the host's cores").
     */
    public static int autoJobs(int hostCores, long hostMemoryBytes, List<PlannedCell> plan) {
        long judged = plan.stream().filter(PlannedCell::judged).count();
        long byMemory = hostMemoryBytes / MEMORY_PER_JOB;
        return (int) Math.max(1, Math.min(hostCores, Math.min(byMemory, judged)));
    }

    /** {@link #autoJobs(int, long, List)} on this host: its cores and its memory. */
    public static int autoJobs(List<PlannedCell> plan) {
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return autoJobs(Runtime.getRuntime().availableProcessors(), memory, plan);
    }

    /** Runs up to {@code jobs} scenarios at once (JUnit's parallel execution, fixed pool). */
    public ScenarioRun jobs(int jobs) {
        if (jobs < 1) {
            throw new ConfigException("--jobs: expected at least 1, got " + jobs);
        }
        parameter(SessionParameters.JOBS, Integer.toString(jobs));
        parameter("junit.jupiter.execution.parallel.enabled", Boolean.toString(jobs > 1));
        parameter("junit.jupiter.execution.parallel.mode.default", "concurrent");
        parameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
        parameter("junit.jupiter.execution.parallel.config.strategy", "fixed");
        parameter("junit.jupiter.execution.parallel.config.fixed.parallelism", Integer.toString(jobs));
        parameter("junit.jupiter.execution.parallel.config.fixed.max-pool-size", Integer.toString(jobs));
        // the pool JUnit has always used, named, so that it does not print a note about its newer one into every run
        parameter("junit.jupiter.execution.parallel.config.executor-service", "FORK_JOIN_POOL");
        return this;
    }

    /**
     * Certify a user's extension definition: only the certification scenarios run, with it as their subject
     * (without one, they do not run at all). With {@link #scenariosFrom} the author's own scenarios all run, and find
     * it as {@link Extensions#USER}.
     */
    /** The command-line options that chose what the cells are about (--extension, --scenarios), for the repro command. */
    public ScenarioRun sourceOptions(List<String> options) {
        this.sourceOptions = List.copyOf(options);
        return this;
    }

    /** The author's extension definition this run certifies, or null. */
    public Path extensionDefinition() {
        return extension;
    }

    public ScenarioRun extension(Path definitionDir) {
        this.extension = definitionDir;
        if (definitionDir != null) {
            parameter(SessionParameters.USER_EXTENSION, definitionDir.toAbsolutePath().toString());
        }
        return this;
    }

    /** Only scenarios of these classes (simple names). */
    public ScenarioRun onlyClasses(Set<String> simpleClassNames) {
        this.classes = Set.copyOf(simpleClassNames);
        return this;
    }

    /**
     * The {@link Scenario} classes of a directory of compiled classes (target/test-classes) or a jar of the author's own,
     * in any package, instead of the built-in ones; null: the built-in ones. A path that does not exist is a usage error.
     */
    public ScenarioRun scenariosFrom(Path root) {
        this.scenarioRoot = root == null ? null : ScenarioClassPath.checked(root);
        return this;
    }

    /** Only scenarios whose Class.method (or method) matches the glob. */
    public ScenarioRun scenarios(String glob) {
        this.scenarioGlob = glob;
        return this;
    }

    /**
     * Only these cells ({@link PlannedCell#key()}) of the selection; a cell named here that the selection does not
     * have is simply not run. Null: every selected cell.
     */
    public ScenarioRun onlyCells(Set<String> keys) {
        this.cells = keys == null ? null : Set.copyOf(keys);
        if (keys == null) {
            parameters.remove(CELLS);
        } else {
            parameter(CELLS, String.join(" ", new java.util.TreeSet<>(keys)));
        }
        return this;
    }

    /** This run is one shard of a plan: its report says so (see {@link PlanShard}); pair it with {@link #onlyCells}. */
    public ScenarioRun shard(PlanShard shard) {
        this.shard = shard;
        return this;
    }

    /** The predicate a {@link #CELLS} value stands for: every cell when absent. */
    static Predicate<String> cellFilter(String value) {
        if (value == null) {
            return key -> true;
        }
        Set<String> keys = Set.of(value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+"));
        return keys::contains;
    }

    /**
     * Leave the node of the first VM cell that fails or errs running after the run, for a person to log into;
     * {@link #kept()} has it once {@link #execute} returned, and whoever asked closes it.
     */
    public ScenarioRun keep(boolean keep) {
        if (kept != null) {
            kept.release();
            kept = null;
            parameters.remove(SessionParameters.KEEP);
        }
        if (keep) {
            kept = KeptNode.open();
            parameter(SessionParameters.KEEP, kept.token());
        }
        return this;
    }

    /** The node {@link #keep} kept, with its cell and evidence; empty when no VM cell failed (or keep was off). */
    public Optional<KeptNode> kept() {
        return kept == null || kept.node().isEmpty() ? Optional.empty() : Optional.of(kept);
    }

    /** Scenarios from another package than {@link #SCENARIO_PACKAGE}: the harness's own tests' fixture scenarios. */
    ScenarioRun fromPackage(String packageName) {
        this.scenarioPackage = packageName;
        return this;
    }

    /** Accept a selection in which every cell would be skipped (by default {@link #plan()} refuses it). */
    public ScenarioRun allowAllSkipped(boolean allow) {
        this.allowAllSkipped = allow;
        return this;
    }

    /** Where the run writes its machine-readable progress (run-start, cells; run-end is its caller's, which knows the exit code). */
    public ScenarioRun events(RunEvents events) {
        this.events = events;
        return this;
    }

    public ScenarioRun progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /** The run's shared options (accelerator, cache, registry); the flavors stay this run's own. */
    public ScenarioRun configuration(RunConfiguration config) {
        config.withFlavors(flavors.stream().map(Flavor::name).toList()).parameters().forEach(this::parameter);
        return this;
    }

    /**
     * Every cell this run selects, in the order it runs them, each with its skip reason from the same gate the run
     * uses — without starting anything. A usage error when the selection is empty, or when every cell in it would be
     * skipped (unless {@link #allowAllSkipped}): such a run would judge nothing.
     */
    public List<PlannedCell> plan() {
        List<PlannedCell> cells;
        try (ScenarioClassPath ignored = ScenarioClassPath.open(scenarioRoot)) {
            cells = plan(LauncherFactory.create().discover(request().build()));
        }
        if (!allowAllSkipped && cells.stream().noneMatch(PlannedCell::judged)) {
            throw new ConfigException("no cell would be judged: all " + cells.size() + " selected cells would be skipped (first: "
                    + cells.get(0).scenario() + " on " + cells.get(0).flavor() + "/" + cells.get(0).lane() + ": "
                    + cells.get(0).skipReason() + "); pass --allow-all-skipped to run anyway");
        }
        return cells;
    }

    private List<PlannedCell> plan(TestPlan plan) {
        Certifies.Form form = extension == null ? null : Extensions.formOf(extension);
        List<PlannedCell> cells = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier t : plan.getDescendants(root)) {
                if (!t.isContainer() || !t.getUniqueId().contains("test-template:")
                        || !(t.getSource().orElse(null) instanceof MethodSource m)) {
                    continue;
                }
                Method method = m.getJavaMethod();
                List<Lane> declared = List.of(method.getAnnotation(Scenario.class).lanes());
                for (Lane lane : lanes.stream().filter(declared::contains).toList()) {
                    for (Flavor f : flavors) {
                        if (this.cells != null && !this.cells.contains(PlannedCell.key(simpleClassName(m) + "." + m.getMethodName(), f.name(), lane.label()))) {
                            continue;
                        }
                        cells.add(new PlannedCell(simpleClassName(m) + "." + m.getMethodName(), f.name(), lane.label(),
                                CellGate.skipReason(method, f, form), t.getUniqueId()));
                    }
                }
            }
        }
        Set<String> seen = new java.util.HashSet<>();
        for (PlannedCell c : cells) {
            if (!seen.add(c.key())) {
                throw new IllegalArgumentException("two scenarios are both named " + c.scenario() + " (classes of one name in two packages?):"
                        + " cells, reports and --scenario name a scenario by its class's name without the package; rename one");
            }
        }
        if (cells.isEmpty() && this.cells != null) {
            throw new IllegalArgumentException("none of the " + this.cells.size() + " cells asked for is in this selection"
                    + " (flavors " + flavors.stream().map(Flavor::name).toList() + ", lanes " + lanes.stream().map(Lane::label).toList() + ")");
        }
        if (cells.isEmpty() && scenarioGlob != null) {
            throw new IllegalArgumentException("--scenario '" + scenarioGlob + "' matches no scenario");
        }
        if (cells.isEmpty()) {
            throw new IllegalArgumentException(scenarioRoot == null
                    ? "no scenario found in " + scenarioPackage + " (is the scenarios module on the class path?)"
                    : "--scenarios " + scenarioRoot + ": no @Scenario method there for the lanes "
                    + lanes.stream().map(Lane::label).toList() + " (give the directory of your compiled scenario classes, or their jar)");
        }
        return cells;
    }

    private LauncherDiscoveryRequestBuilder request() {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(scenarioRoot == null ? selectPackage(scenarioPackage) : selectClasspathRoots(Set.of(scenarioRoot)).get(0))
                .configurationParameters(parameters);
        if (scenarioGlob != null) {
            request.filters(filter(scenarioGlob));
        }
        if (scenarioRoot == null) {
            // which built-in scenarios a run with --extension means; an author's own scenarios all run
            request.filters(certification(extension != null));
        }
        request.filters(ONLY_SCENARIOS, inLanes(lanes));
        if (declaring != null) {
            request.filters(inLanes(List.of(declaring)));
        }
        if (cells != null) {
            Set<String> scenarios = new java.util.HashSet<>();
            cells.forEach(k -> scenarios.add(k.substring(0, k.indexOf('@'))));
            request.filters(methods(m -> scenarios.contains(simpleClassName(m) + "." + m.getMethodName()), "one of the cells asked for"));
        }
        if (classes != null) {
            Set<String> keep = classes;
            request.filters(methods(m -> keep.contains(simpleClassName(m)), "one of " + keep));
        }
        return request;
    }

    /**
     * Runs and writes the report into {@code dir} (evidence under dir/evidence). Every planned cell ends in the
     * report: a cell JUnit never ran (its class or template failed first) is an error, with that failure as its cause.
     */
    public RunReport execute(String runId, Path dir) throws IOException {
        var launcher = LauncherFactory.create();
        RunReport report = new RunReport(runId, dir, flavors).shard(shard).sourceOptions(sourceOptions);
        try (ScenarioClassPath ignored = ScenarioClassPath.open(scenarioRoot)) {
            TestPlan plan = launcher.discover(request()
                    .configurationParameter(SessionParameters.EVIDENCE_DIR, dir.resolve("evidence").toString()).build());
            List<PlannedCell> cells = plan(plan);
            launcher.execute(plan, new ReportListener(report, progress, cells, events));
        } finally {
            if (kept != null) {
                kept.release(); // the session is gone; what it kept stays reachable through kept()
            }
        }
        report.write();
        return report;
    }

    /** A filter judging each method with {@code keep}; containers always pass. */
    static PostDiscoveryFilter methods(Predicate<MethodSource> keep, String why) {
        return (TestDescriptor d) -> !(d.getSource().orElse(null) instanceof MethodSource m) || keep.test(m)
                ? FilterResult.included(why) : FilterResult.excluded("not " + why);
    }

    /**
     * A scenario's name in cells, reports and keys: its class's name without the package (a nested class keeps its
     * {@code Outer$Inner}), a dot, the method. The one derivation every part uses, so that they name a cell alike.
     */
    static String scenarioName(String className, String method) {
        return className.substring(className.lastIndexOf('.') + 1) + "." + method;
    }

    static String simpleClassName(MethodSource m) {
        return m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1);
    }

    /**
     * Only {@link Scenario} methods: the package also holds ordinary tests (the selftest's RestoreEquivalenceIT,
     * which itself launches runs) that must never run inside a run.
     */
    static final PostDiscoveryFilter ONLY_SCENARIOS = methods(m -> m.getJavaMethod().isAnnotationPresent(Scenario.class),
            "a @Scenario");

    static PostDiscoveryFilter inLanes(List<Lane> selected) {
        return methods(m -> Arrays.stream(m.getJavaMethod().getAnnotation(Scenario.class).lanes()).anyMatch(selected::contains),
                "declaring one of the lanes " + selected.stream().map(Lane::label).toList());
    }

    /** With a user extension only the certification scenarios run; without one, never. */
    static PostDiscoveryFilter certification(boolean certifying) {
        return methods(m -> simpleClassName(m).equals(CERTIFICATION) == certifying,
                certifying ? "a certification scenario" : "outside the certification scenarios");
    }

    /** Matches globs (separated by commas: any of them) against "Class.method" and against the method name alone. */
    static PostDiscoveryFilter filter(String globs) {
        List<Pattern> patterns = Arrays.stream(globs.split(",")).map(String::strip).filter(g -> !g.isEmpty())
                .map(glob -> Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                        .reduce((a, b) -> a + ".*" + b).orElse(""))).toList();
        return methods(m -> patterns.stream().anyMatch(p -> p.matcher(simpleClassName(m) + "." + m.getMethodName()).matches()
                || p.matcher(m.getMethodName()).matches()), "matching " + globs);
    }
}
