package dev.sysextharness.scenario;

import dev.sysextharness.api.Bundles;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.install.Bundle;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.vm.BootDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The VM lane: a node booted (or restored) on a fresh overlay of the flavor's disk — the installed disk when the
 * scenario declares {@link Bundles}. The overlay is deleted when the scenario passed and kept when it did not.
 */
final class NodeProvider extends GuestProvider<Node> {

    NodeProvider(ScenarioSession session, String flavorName) {
        super(session, flavorName, Node.class, Lane.VM);
    }

    @Override
    Node start(ExtensionContext c) {
        Flavor flavor = session.flavor(flavorName);
        Bundles bundles = c.getRequiredTestMethod().getAnnotation(Bundles.class);
        BootDisk disk = bundles == null ? session.disks.base(flavor) : installed(flavor, List.of(bundles.value()));
        return new NodeLauncher(flavor, disk)
                .guestForward(session.registryForward())
                .savedStates(session.savedStates)
                .accelerator(session.accelerator)
                .evidenceDir(evidenceDir(c))
                .progress(session.progress)
                .start();
    }

    /** The flavor's disk installed with these extensions as cloud-config bundles, published to the run's registry first. */
    private BootDisk installed(Flavor flavor, List<String> names) {
        List<Bundle> bundles = new ArrayList<>();
        Map<String, String> digests = new HashMap<>();
        for (String name : names) {
            PublishedExtension ext = session.extensions.published(name);
            bundles.add(Bundle.container("/var/lib/extensions/" + ext.extensionName(), ext.guestRef()));
            digests.put(ext.guestRef(), ext.digest());
        }
        return session.disks.installed(flavor, bundles, digests, session.registry.baseUrl(), session.registryForward());
    }

    @Override
    Path evidenceDir(ExtensionContext c) {
        return session.evidenceRoot().resolve(flavorName).resolve(scenarioName(c));
    }

    @Override
    String startedBy(Node node) {
        return node.startedBy();
    }

    @Override
    int reboots(Node node) {
        return node.reboots();
    }

    @Override
    List<String> badness(Node node) {
        return dev.sysextharness.guest.Badness.scan(node);
    }

    @Override
    boolean answers(Node node) {
        return node.vm().isAlive();
    }

    @Override
    void ended(Node node, Outcome outcome, Path dir) throws IOException {
        if (outcome == Outcome.PASSED) {
            Files.deleteIfExists(dir.resolve("overlay.qcow2"));
        }
    }
}
