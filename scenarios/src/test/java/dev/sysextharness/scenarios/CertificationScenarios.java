package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.sysext.SysextAssert.assertThat;

import dev.sysextharness.container.ContainerGuest;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.extension.ExtensionDefinition;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.scenario.Bundles;
import dev.sysextharness.scenario.Certifies;
import dev.sysextharness.scenario.Expectation;
import dev.sysextharness.scenario.Extensions;
import dev.sysextharness.scenario.PublishedExtension;
import dev.sysextharness.scenario.Scenario;
import dev.sysextharness.sysext.Compatibility;
import dev.sysextharness.sysext.MergeExpectation;
import dev.sysextharness.sysext.Sysext;
import java.nio.file.Path;
import java.util.List;

/**
 * An extension author's verdict table: their extension ({@code run --extension DIR}) installed both ways Kairos
 * installs extensions, on every selected flavor. Whether it should merge, and on which hierarchies, comes from the
 * oracle (its extension-release against the flavor's os-release and systemd) and the flavor's hierarchy list.
 */
class CertificationScenarios {

    /** The oracle's expectation for the user's extension on this node, written down before acting. */
    static Compatibility.Verdict expected(Sysext sysext, Extension ext, Expectation expect) {
        String text = ext.definition().releaseText();
        ExtensionDefinition d = ext.definition();
        Compatibility.Verdict v = Compatibility.shipped(Compatibility.judge(sysext.guest().systemd(), sysext.hostOsRelease(),
                        text == null ? null : Compatibility.parseRelease(text)),
                d.noRelease() ? null : d.releaseFileName(), d.extensionName(), d.raw() != null, sysext.flavor().sysext().imagePolicy());
        List<String> on = MergeExpectation.hierarchiesFor(sysext.hierarchies(), ext.files());
        List<String> hidden = MergeExpectation.unmergedFiles(sysext.hierarchies(), ext.files());
        expect.that(ext.extensionName() + (v.merged() ? " merged on " + on : " not merged") + ": " + v.because()
                + (hidden.isEmpty() || !v.merged() ? "" : "; not visible on this flavor (outside its hierarchies): " + hidden));
        return v;
    }

    static void observe(Sysext sysext, Extension ext, Compatibility.Verdict v) {
        if (v.merged()) {
            List<String> on = MergeExpectation.hierarchiesFor(sysext.hierarchies(), ext.files());
            assertThat(sysext).hasMerged(ext.extensionName()).on(on.toArray(String[]::new));
        } else {
            assertThat(sysext).hasNotMerged(ext.extensionName());
        }
    }

    @Scenario
    @Certifies(Certifies.Form.OCI_IMAGE)
    void yourExtensionUnpackedAtRuntime(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Compatibility.Verdict v = expected(sysext, def, expect);
        PublishedExtension published = ext.published(Extensions.USER);
        assertThatCommand(sysext.unpack(published.guestRef(), published.extensionName())).succeeds();
        assertThatCommand(sysext.refresh()).succeeds();
        observe(sysext, def, v);
    }

    /**
     * The extension author's fast path ({@code run --lane container --extension DIR}): the same image, pulled and
     * flattened on the host as the installer does (the container has no network), placed in the flavor's
     * userspace at /var/lib/extensions/NAME, merged through the service's commands, judged by the same oracle.
     */
    @Scenario(lanes = Lane.CONTAINER)
    @Certifies(Certifies.Form.OCI_IMAGE)
    void yourExtensionInTheFlavorsUserspace(ContainerGuest guest, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Compatibility.Verdict v = expected(sysext, def, expect);
        guest.copyIn(ext.flattenedOnHost(Extensions.USER, guest.evidenceDir().resolve("image")),
                "/var/lib/extensions/" + def.extensionName());
        assertThatCommand(sysext.refresh()).succeeds();
        observe(sysext, def, v);
    }

    @Scenario
    @Certifies(Certifies.Form.OCI_IMAGE)
    @Bundles(Extensions.USER)
    void yourExtensionInstalledAsABundle(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Compatibility.Verdict v = expected(sysext, def, expect);
        observe(sysext, def, v);
    }

    /**
     * The author's .raw file as it is, at /var/lib/extensions/NAME.raw, merged through the service: a plain squashfs
     * carries no verity, so an image policy that demands it refuses the image whatever its extension-release says.
     * VM only: a loop device is needed (see the catalogue's squashfs scenario).
     */
    @Scenario
    @Certifies(Certifies.Form.RAW_FILE)
    void yourRawImageInVarLibExtensions(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Compatibility.Verdict v = expected(sysext, def, expect);
        node.sendFile(Path.of(def.definition().raw()), "/var/lib/extensions/" + def.extensionName() + ".raw");
        sysext.refresh(); // the service's exit status on a refused image differs by version; the merge state is the verdict
        observe(sysext, def, v);
    }
}
