package dev.sysextharness.scenario;

import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.image.FlavorContainerImage;
import dev.sysextharness.extension.ContainerRegistry;
import dev.sysextharness.extension.DistributionRegistry;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.extension.Registry;
import dev.sysextharness.extension.RegistryImage;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.image.ReferenceImage;
import dev.sysextharness.install.Bundle;
import dev.sysextharness.install.CloudConfig;
import dev.sysextharness.install.ReferenceInstaller;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import dev.sysextharness.vm.SavedStates;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What all scenarios of one test run share: the workspace, the accelerator (probed once), each flavor's boot
 * disk (built once), and the evidence root. Configured through JUnit configuration parameters (which fall back
 * to system properties): the {@link RunConfiguration} ({@code sysext.flavors}, {@code sysext.accel}, {@code sysext.cacheDir},
 * {@code sysext.registry}), {@code sysext.evidenceDir}, {@code sysext.lanes}, {@code sysext.registryImage}. The Docker engine (container lane,
 * registry container) is found or started only when something asks for it.
 */
public final class ScenarioSession implements AutoCloseable {
    public static final String EVIDENCE_DIR = "sysext.evidenceDir";
    /** "true": every node cold-boots; otherwise nodes start from a saved ready state. */
    public static final String COLD = "sysext.cold";
    /** A user's extension definition directory to certify (extension.yaml + rootfs/). */
    public static final String USER_EXTENSION = "sysext.extension";
    /** Bring your own Kairos image: a local ISO, or a URL with its sha256, used for every kairos flavor of the run. */
    public static final String ISO = "sysext.iso";
    public static final String ISO_URL = "sysext.isoUrl";
    public static final String ISO_SHA256 = "sysext.sha256";
    /** "vm" (default), "container" or "all": the lanes scenarios run in (each only in the lanes it declares). */
    public static final String LANES = "sysext.lanes";
    /** The registry container's image (default: the locally built {@link RegistryImage#DEFAULT}). */
    public static final String REGISTRY_IMAGE = "sysext.registryImage";

    private final Workspace workspace;
    private final List<String> flavorNames;
    private final AcceleratorChoice accelerator;
    private final Path evidenceRoot;
    private final Progress progress = Progress.to(System.err);
    private final Map<String, BootDisk> disks = new ConcurrentHashMap<>();
    private final Map<String, Flavor> flavors = new ConcurrentHashMap<>();
    private final Map<String, BootDisk> installed = new ConcurrentHashMap<>();
    private final Registry registry;
    private final Extensions extensions;
    private final SavedStates savedStates;
    private final Path isoOverride;
    private final String isoUrlOverride;
    private final String sha256Override;
    private final List<Lane> lanes;
    private final Map<String, String> containerImages = new ConcurrentHashMap<>();
    private DockerImages dockerImages;
    private String containerLaneUnavailable;

    private ScenarioSession(ExtensionContext context) {
        this.isoOverride = context.getConfigurationParameter(ISO).map(Path::of).orElse(null);
        this.isoUrlOverride = context.getConfigurationParameter(ISO_URL).orElse(null);
        this.sha256Override = context.getConfigurationParameter(ISO_SHA256).orElse(null);
        RunConfiguration config = RunConfiguration.from(context::getConfigurationParameter);
        this.workspace = config.workspace();
        this.flavorNames = config.flavors();
        this.accelerator = config.accelerator(workspace, progress);
        this.evidenceRoot = context.getConfigurationParameter(EVIDENCE_DIR).map(Path::of)
                .orElse(workspace.reportsDir().resolve("evidence-" + LocalDateTime.now()
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        this.savedStates = context.getConfigurationParameter(COLD, Boolean::parseBoolean).orElse(false)
                ? null : new SavedStates(workspace.cache());
        this.lanes = Lane.parseAll(context.getConfigurationParameter(LANES).orElse(Lane.VM.label()));
        this.registry = startRegistry(config.registry(), config.registryPort(),
                context.getConfigurationParameter(REGISTRY_IMAGE).orElse(RegistryImage.DEFAULT));
        this.extensions = new Extensions(new ExtensionCatalog(workspace.extensionsDir()),
                workspace.cache().root().resolve("jib"), registry, progress,
                context.getConfigurationParameter(USER_EXTENSION).map(Path::of).orElse(null));
        progress.step("scenarios on " + flavorNames + " in lanes " + lanes.stream().map(Lane::label).toList()
                + ", registry " + registry.hostAddress() + (savedStates == null ? ", cold boots" : ", restoring saved states")
                + ", accelerator " + config.accel().label() + ", evidence in " + evidenceRoot);
    }

    /**
     * The session of this test run, created on first use and kept in the root context's store. The key carries the
     * run's configuration: launchers started inside another JUnit run (the selftest, the benchmark) may share one
     * store, and a run with other parameters must never get another run's session.
     */
    static ScenarioSession of(ExtensionContext context) {
        String key = ScenarioSession.class.getName() + Stream.of(RunConfiguration.FLAVORS, RunConfiguration.ACCEL, EVIDENCE_DIR,
                        RunConfiguration.CACHE_DIR, COLD, USER_EXTENSION, LANES, RunConfiguration.REGISTRY, RunConfiguration.REGISTRY_PORT,
                        REGISTRY_IMAGE, ISO, ISO_URL,
                        ISO_SHA256)
                .map(p -> p + "=" + context.getConfigurationParameter(p).orElse(""))
                .collect(Collectors.joining(";", "[", "]"));
        return context.getRoot().getStore(ExtensionContext.Namespace.create(ScenarioSession.class))
                .computeIfAbsent(key, k -> new ScenarioSession(context), ScenarioSession.class);
    }

    private Registry startRegistry(String variant, int port, String image) {
        return switch (variant) {
            case "process" -> DistributionRegistry.start(evidenceRoot.resolve("registry"), port);
            case "container" -> ContainerRegistry.start(DockerEngine.shared(workspace.cache().root()), image,
                    workspace.cache().root().resolve("docker").resolve("registry-image"), port);
            default -> throw new IllegalArgumentException(RunConfiguration.REGISTRY + ": expected process or container, got '" + variant + "'");
        };
    }

    public List<String> flavorNames() {
        return flavorNames;
    }

    public List<Lane> lanes() {
        return lanes;
    }

    /**
     * The images of the Docker engine the container lane runs on, found or started on first use; throws
     * {@link DockerEngine.Unavailable} (one line, the same every time) when there is none.
     */
    public synchronized DockerImages dockerImages() {
        if (containerLaneUnavailable != null) {
            throw new DockerEngine.Unavailable(containerLaneUnavailable);
        }
        if (dockerImages == null) {
            try {
                DockerEngine engine = DockerEngine.shared(workspace.cache().root());
                dockerImages = DockerImages.of(engine);
                progress.step("container lane on Docker engine " + engine);
            } catch (DockerEngine.Unavailable e) {
                containerLaneUnavailable = "container lane unavailable: " + e.getMessage();
                progress.step(containerLaneUnavailable);
                throw new DockerEngine.Unavailable(containerLaneUnavailable);
            }
        }
        return dockerImages;
    }

    /** The flavor's container image on the engine, imported once per run (and cached on the engine by image key). */
    public String containerImage(Flavor flavor) {
        DockerImages images = dockerImages();
        synchronized (containerImages) {
            String ref = containerImages.get(flavor.name());
            if (ref == null) {
                ref = FlavorContainerImage.ensure(images, flavor, () -> new FlavorImages(workspace).referenceImage(flavor, progress), progress);
                containerImages.put(flavor.name(), ref);
            }
            return ref;
        }
    }

    public Flavor flavor(String name) {
        return flavors.computeIfAbsent(name, n -> workspace.flavors().load(n).withIso(isoOverride, isoUrlOverride, sha256Override));
    }

    public synchronized BootDisk bootDisk(Flavor flavor) {
        return disks.computeIfAbsent(flavor.name(), n -> new FlavorImages(workspace).bootDisk(flavor, accelerator,
                evidenceRoot.resolve(flavor.name() + "-install"), progress));
    }

    /**
     * The flavor's disk installed with these extensions as cloud-config bundles, the way Kairos installs them;
     * built once per (flavor image, bundle set) and cached.
     */
    public BootDisk installedDisk(Flavor flavor, List<String> bundleNames) {
        String key = flavor.name() + "|" + String.join(",", bundleNames);
        synchronized (installed) {
            BootDisk disk = installed.get(key);
            if (disk == null) {
                disk = install(flavor, bundleNames);
                installed.put(key, disk);
            }
            return disk;
        }
    }

    private BootDisk install(Flavor flavor, List<String> bundleNames) {
        List<Bundle> bundles = new ArrayList<>();
        Map<String, String> digests = new HashMap<>();
        for (String name : bundleNames) {
            PublishedExtension ext = extensions.published(name);
            bundles.add(Bundle.container("/var/lib/extensions/" + ext.extensionName(), ext.guestRef()));
            digests.put(ext.guestRef(), ext.digest());
        }
        CloudConfig config = new CloudConfig("/dev/vda", flavor.login(), bundles);
        if (flavor.family() == Family.KAIROS) {
            return new FlavorImages(workspace).kairosInstalled(flavor, accelerator, config, digests, registryForward(),
                    evidenceRoot.resolve(flavor.name() + "-install-" + String.join("-", bundleNames)), progress);
        }
        ReferenceImage base = new FlavorImages(workspace).referenceImage(flavor, progress);
        Path entry = new ReferenceInstaller(workspace.cache()).install(base.dir(), base.key(),
                CloudConfig.parse("rendered cloud-config", config.render()), digests, registry.baseUrl(), progress);
        return base.withDisk(entry.resolve("disk.img"));
    }

    /** Null when every node cold-boots. */
    public SavedStates savedStates() {
        return savedStates;
    }

    public Extensions extensions() {
        return extensions;
    }

    /** The one guestfwd rule of every node: the run's registry at 10.0.2.100:5000. */
    public GuestForward registryForward() {
        return GuestForward.registry(registry.port());
    }

    @Override
    public void close() {
        registry.close();
    }

    /** The run's accelerator, decided when the first node starts. */
    public AcceleratorChoice accelerator() {
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
