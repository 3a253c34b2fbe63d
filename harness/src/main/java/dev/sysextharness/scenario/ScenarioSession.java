package dev.sysextharness.scenario;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.FlavorImages;
import dev.sysextharness.vm.AcceleratorProbe;
import dev.sysextharness.vm.BootDisk;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What all scenarios of one test run share: the workspace, the accelerator (probed once), each flavor's boot
 * disk (built once), and the evidence root. Configured through JUnit configuration parameters (which fall back
 * to system properties): {@code sysext.flavors}, {@code sysext.accel}, {@code sysext.evidenceDir}, {@code sysext.cacheDir}.
 */
public final class ScenarioSession {
    public static final String FLAVORS = "sysext.flavors";
    public static final String ACCEL = "sysext.accel";
    public static final String EVIDENCE_DIR = "sysext.evidenceDir";
    public static final String CACHE_DIR = "sysext.cacheDir";

    private final Workspace workspace;
    private final List<String> flavorNames;
    private final AcceleratorProbe.Choice accelerator;
    private final Path evidenceRoot;
    private final Progress progress = Progress.to(System.err);
    private final Map<String, BootDisk> disks = new ConcurrentHashMap<>();
    private final Map<String, Flavor> flavors = new ConcurrentHashMap<>();

    private ScenarioSession(ExtensionContext context) {
        this.workspace = Workspace.locate(context.getConfigurationParameter(CACHE_DIR).map(Path::of).orElse(null));
        this.flavorNames = Arrays.stream(context.getConfigurationParameter(FLAVORS).orElse(Flavors.DEFAULT).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        this.accelerator = new AcceleratorProbe("qemu-system-x86_64").choose(context.getConfigurationParameter(ACCEL).orElse("auto"));
        this.evidenceRoot = context.getConfigurationParameter(EVIDENCE_DIR).map(Path::of)
                .orElse(workspace.reportsDir().resolve("evidence-" + LocalDateTime.now()
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        progress.step("scenarios on " + flavorNames + ", accelerator " + accelerator.accelerator().qemuName()
                + " (" + accelerator.reason() + "), evidence in " + evidenceRoot);
    }

    /** The session of this test run, created on first use and kept in the root context's store. */
    static ScenarioSession of(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(ScenarioSession.class))
                .computeIfAbsent(ScenarioSession.class, k -> new ScenarioSession(context), ScenarioSession.class);
    }

    public List<String> flavorNames() {
        return flavorNames;
    }

    public Flavor flavor(String name) {
        return flavors.computeIfAbsent(name, n -> workspace.flavors().load(n));
    }

    public synchronized BootDisk bootDisk(Flavor flavor) {
        return disks.computeIfAbsent(flavor.name(), n -> new FlavorImages(workspace).bootDisk(flavor, progress));
    }

    public AcceleratorProbe.Choice accelerator() {
        return accelerator;
    }

    public Path evidenceRoot() {
        return evidenceRoot;
    }

    public Progress progress() {
        return progress;
    }

    public Workspace workspace() {
        return workspace;
    }
}
