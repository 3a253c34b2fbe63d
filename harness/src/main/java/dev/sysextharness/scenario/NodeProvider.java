package dev.sysextharness.scenario;

import dev.sysextharness.api.Bundles;
import dev.sysextharness.api.FirmwareDb;
import dev.sysextharness.extension.SigningKey;
import dev.sysextharness.vm.Firmware;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.guest.NodeLauncher;
import dev.sysextharness.install.Bundle;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.KeptDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The VM lane: a node booted (or restored) on a fresh overlay of the flavor's disk — the installed disk when the
 * scenario declares {@link Bundles}. The overlay is deleted when the scenario passed; when it failed or erred it stays
 * in the evidence directory with {@link KeptDisk#FILE} beside it, which {@code boot --from} boots again. With
 * {@code --keep}, the first such node is also left running ({@link KeptNode}).
 */
final class NodeProvider extends GuestProvider<Node> {

    /** The disk each running node booted from, for its {@link KeptDisk} record. */
    private final Map<Node, BootDisk> disks = new ConcurrentHashMap<>();

    NodeProvider(ScenarioSession session, String flavorName) {
        super(session, flavorName, Node.class, Lane.VM);
    }

    @Override
    Node start(ExtensionContext c) {
        Flavor flavor = session.flavor(flavorName);
        Bundles bundles = c.getRequiredTestMethod().getAnnotation(Bundles.class);
        BootDisk disk = bundles == null ? session.disks.base(flavor) : installed(flavor, List.of(bundles.value()));
        NodeLauncher launcher = new NodeLauncher(flavor, disk)
                .guestForward(session.registryForward())
                .savedStates(session.savedStates)
                .spares(session.spares)
                .accelerator(session.accelerator)
                .nodesAtOnce(session.parameters.jobs())
                .evidenceDir(evidenceDir(c))
                .progress(session.progress);
        FirmwareDb firmware = c.getRequiredTestMethod().getAnnotation(FirmwareDb.class);
        if (firmware != null) {
            if (firmware.value().length != 1) {
                throw new IllegalArgumentException("@FirmwareDb: one key name, got " + List.of(firmware.value()));
            }
            SigningKey key = session.ddis.key(firmware.value()[0]);
            launcher.uefi(Firmware.varsWithDb(session.parameters.config().workspace().cache(), key.certificate(), session.progress),
                    List.of(Firmware.dbCertificate(key.certificate())));
        }
        Node node = launcher.start();
        disks.put(node, disk);
        return node;
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
    List<java.time.Duration> reboots(Node node) {
        return node.rebootTimes();
    }

    @Override
    String badnessScript(Node node) {
        return dev.sysextharness.guest.Badness.command();
    }

    @Override
    List<String> badness(Node node, String printed) {
        return dev.sysextharness.guest.Badness.findings(node, printed);
    }

    @Override
    boolean answers(Node node) {
        node.vm().kernelDeath().ifPresent(panic -> node.transcript().note("# harness: the guest kernel panicked (" + panic
                + "); no evidence or badness commands are sent to a dead node"));
        return node.vm().guestAnswers();
    }

    @Override
    boolean keep(Node node, Outcome outcome, Path dir, String cell) {
        KeptNode kept = session.parameters.kept();
        if (kept == null || !failed(outcome) || !node.vm().guestAnswers() || !kept.claim(node, dir, cell)) {
            return false;
        }
        session.progress.step(flavorName + ": keeping the node of " + cell + " running (--keep): "
                + node.sshCommand() + "; serial log " + node.vm().serialLog());
        return true;
    }

    @Override
    void ended(Node node, Outcome outcome, Path dir) throws IOException {
        BootDisk disk = disks.remove(node);
        if (outcome == Outcome.PASSED) {
            Files.deleteIfExists(dir.resolve("overlay.qcow2"));
        } else if (failed(outcome) && disk != null && Files.exists(dir.resolve("overlay.qcow2"))) {
            try {
                KeptDisk.record(dir, flavorName, disk); // a few hundred bytes: the overlay stays where the node wrote it
            } catch (IOException | RuntimeException e) {
                // the cell's verdict stands; only boot --from of it is lost, and the run says why
                session.progress.step(flavorName + ": could not record the kept disk in " + dir + ": " + e.getMessage());
            }
        }
    }

    private static boolean failed(Outcome outcome) {
        return outcome == Outcome.FAILED || outcome == Outcome.ERROR;
    }
}
