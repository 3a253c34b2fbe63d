package dev.sysextharness.scenario;

import dev.sysextharness.api.Extensions;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.extension.Registries;
import dev.sysextharness.extension.Registry;
import dev.sysextharness.extension.RegistryImage;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.ContainerLaneImages;
import dev.sysextharness.install.FlavorDisks;
import dev.sysextharness.sysext.DdiSource;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.GuestForward;
import dev.sysextharness.vm.SavedStates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the scenarios of one run share, one object per resource, each from the layer that owns it: the flavors, the
 * accelerator ({@link AcceleratorChoice}), the saved states ({@link SavedStates}), the disks ({@link FlavorDisks}), the
 * registry and the extensions published to it, and the container lane's engine and images ({@link ContainerLaneImages}).
 * Wired here from the run's {@link SessionParameters}; this class only holds them and closes them.
 */
public final class ScenarioSession implements AutoCloseable {
    final SessionParameters parameters;
    final Progress progress = Progress.to(System.err);
    final Map<String, Flavor> flavors;
    final AcceleratorChoice accelerator;
    final SavedStates savedStates;
    /** Restores made ahead of the cells that will take them (none with --cold). */
    final dev.sysextharness.guest.Spares spares;
    final FlavorDisks disks;
    final Registry registry;
    final Extensions extensions;
    final ContainerLaneImages containers;
    final DdiSource ddis;

    private ScenarioSession(SessionParameters p) {
        this.parameters = p;
        Workspace ws = p.config().workspace();
        this.flavors = p.config().flavors().stream().collect(Collectors.toMap(Function.identity(),
                n -> ws.flavors().load(n).withIso(p.iso(), p.isoUrl(), p.sha256()), (a, b) -> a, java.util.LinkedHashMap::new));
        this.accelerator = p.config().accelerator(ws, progress);
        this.savedStates = p.cold() ? null : new SavedStates(ws.cache());
        this.spares = savedStates == null ? null : new dev.sysextharness.guest.Spares(SPARES);
        this.disks = new FlavorDisks(ws, accelerator, p.evidenceRoot(), progress);
        this.registry = Registries.start(p.config().registry(), p.config().registryPort(), p.evidenceRoot().resolve("registry"),
                ws.cache().root(), p.registryImage());
        this.extensions = new Extensions(new ExtensionCatalog(ws.extensionsDir()), ws.cache().root().resolve("jib"), registry, progress,
                p.userExtension());
        this.containers = new ContainerLaneImages(ws.cache().root(), f -> new FlavorImages(ws).referenceImage(f, progress), progress);
        this.ddis = new SessionDdis(ws, containers, progress);
        progress.step("scenarios on " + p.config().flavors() + " in lanes " + p.lanes().stream().map(Lane::label).toList() + ", registry "
                + registry.hostAddress() + (savedStates == null ? ", cold boots" : ", restoring saved states") + ", accelerator "
                + p.config().accel().label() + ", evidence in " + p.evidenceRoot());
    }

    /**
     * The session of this test run, created on first use and kept in the root context's store under a key that carries
     * every parameter: launchers started inside another JUnit run (the selftest, the bench) may share one store, and a
     * run with other parameters must never get another run's session.
     */
    static ScenarioSession of(ExtensionContext context) {
        String key = ScenarioSession.class.getName() + SessionParameters.NAMES.stream()
                .map(n -> n + "=" + context.getConfigurationParameter(n).orElse("")).collect(Collectors.joining(";", "[", "]"));
        return context.getRoot().getStore(ExtensionContext.Namespace.create(ScenarioSession.class)).computeIfAbsent(key,
                k -> new ScenarioSession(SessionParameters.from(context::getConfigurationParameter)), ScenarioSession.class);
    }

    Flavor flavor(String name) {
        return flavors.get(name);
    }

    List<Lane> lanes() {
        return parameters.lanes();
    }

    Path evidenceRoot() {
        return parameters.evidenceRoot();
    }

    /** The one guestfwd rule of every node: the run's registry at 10.0.2.100:5000. */
    GuestForward registryForward() {
        return GuestForward.registry(registry.port());
    }

    /**
     * Spares kept at most. A run's cells go scenario by scenario across its flavors (the matrix: debian-12,
     * -backports, -13, sid, then the next scenario), and a flavor has a state per disk and firmware store, so a pool
     * of two was always evicting the spare the next cell of its flavor would have taken (the twentieth bench: 46 of
     * 236 matrix cells made ahead). Eight covers the states a four-flavor run cycles through; a paused QEMU holds
     * little memory of its own (its RAM is the saved file, mapped copy-on-write, untouched until it runs).
     */
    private static final int SPARES = 8;

    @Override
    public void close() {
        try {
            if (spares != null) {
                spares.close();
            }
        } finally {
            registry.close();
        }
    }
}
