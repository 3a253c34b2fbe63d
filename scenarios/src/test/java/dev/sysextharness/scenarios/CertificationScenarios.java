package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.sysext.SysextAssert.assertThat;

import dev.sysextharness.guest.ContainerGuest;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.extension.ExtensionDefinition;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.api.Bundles;
import dev.sysextharness.api.Certifies;
import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.sysext.DirectoryExtension;
import dev.sysextharness.sysext.MergeOracle;
import dev.sysextharness.sysext.SharedLibraries;
import dev.sysextharness.sysext.Sysext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An extension author's verdict table: their extension ({@code run --extension}) installed the ways Kairos installs
 * extensions, on every selected flavor. The oracle predicts the service as a whole — its exit status, the author's
 * image's fate and reason, and what happens to a witness, a small good extension placed beside it, since one image
 * that fails the refresh takes every other extension on the node down with it (bundles included) — and then every
 * file the author ships is checked on the node: the author's bytes where it is merged, not there where it is not —
 * and every library its merged ELF files need is found, or not, where the node's loader will look for it (a program
 * whose library lies outside the flavor's hierarchies is predicted not to start).
 */
class CertificationScenarios {
    /** A good extension beside the author's: it merges unless the author's image fails the refresh for everyone. */
    static final DirectoryExtension WITNESS = DirectoryExtension.named("harness-witness").release("ID=_any")
            .file("usr/share/harness-witness/marker", "harness-witness");

    /** The author's extension as the service-level oracle sees it, at /var/lib/extensions/{@code fileName}. */
    static MergeOracle.Image image(Extension ext, String fileName, MergeOracle.Kind kind) {
        return MergeOracle.Image.of(ext, fileName, kind);
    }

    /** The oracle's word on the service as a whole, and on the libraries of the author's merged ELF files. */
    record Verdict(MergeOracle.Prediction service, String authorName, SharedLibraries.Expected libraries) {
    }

    /** The prediction for the author's image and {@code others} beside it, written down before anything happens. */
    static Verdict expected(Sysext sysext, Extension ext, MergeOracle.Image author, Expectation expect,
            MergeOracle.Image... others) {
        List<MergeOracle.Image> images = new ArrayList<>(List.of(others));
        images.add(author);
        MergeOracle.Prediction p = MergeOracle.predict(sysext.guest().systemd(), sysext.flavor().sysext().imagePolicy(),
                sysext.hierarchies(), sysext.hostOsRelease(), images);
        expect.that(p.describe());
        ExtensionDefinition.SourceImage source = ext.definition().image();
        if (source != null) {
            expect.that("the node receives " + source.ref() + " as published: manifest " + source.digest());
        }
        String authorName = MergeOracle.imageName(sysext.guest().systemd(), author);
        SharedLibraries.Expected libraries = SharedLibraries.expect(sysext.guest(), SharedLibraries.shippedBy(ext),
                p.merged().contains(authorName), sysext.hierarchies());
        expect.that(libraries.prediction().describe());
        return new Verdict(p, authorName, libraries);
    }

    /** The service did as predicted, and the author's files and libraries are where the prediction puts them. */
    static void observe(Sysext sysext, Extension ext, Verdict v) {
        assertThat(sysext).refreshedAs(v.service());
        assertThat(sysext).showsTheShippedFiles(ext, v.service().merged().contains(v.authorName()));
        assertThat(sysext).loadsLibrariesAs(v.libraries());
    }

    @Scenario
    @Certifies(Certifies.Form.OCI_IMAGE)
    void yourExtensionUnpackedAtRuntime(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        MergeOracle.Image author = image(def, def.extensionName(), MergeOracle.Kind.DIRECTORY);
        Verdict p = expected(sysext, def, author, expect, WITNESS.asImage());
        expect.that("the unpacked tree holds no whiteout file (.wh.*): Kairos's extractor applies an image's whiteouts and writes none");
        PublishedExtension published = ext.published(Extensions.USER);
        node.transcript().observe("published as " + published.guestRef() + " (manifest " + published.digest() + ")");
        sysext.place(WITNESS);
        String tree = "/var/lib/extensions/" + published.extensionName();
        assertThatCommand(sysext.unpackInto(published.guestRef(), tree)).succeeds();
        assertThatCommand(node.sudo("find " + Node.shellQuote(tree) + " -name '.wh.*'")).succeeds()
                .printsNothing("the flavor's unpacker must apply whiteouts, not write them");
        sysext.refresh();
        observe(sysext, def, p);
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
        MergeOracle.Image author = image(def, def.extensionName(), MergeOracle.Kind.DIRECTORY);
        Verdict p = expected(sysext, def, author, expect, WITNESS.asImage());
        sysext.place(WITNESS);
        guest.copyIn(ext.flattenedOnHost(Extensions.USER, guest.evidenceDir().resolve("image")),
                "/var/lib/extensions/" + def.extensionName());
        sysext.refresh();
        observe(sysext, def, p);
    }

    /** Installed as a bundle: the service merged it at first boot, with no command from the harness. */
    @Scenario
    @Certifies(Certifies.Form.OCI_IMAGE)
    @Bundles(Extensions.USER)
    void yourExtensionInstalledAsABundle(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Verdict p = expected(sysext, def, image(def, def.extensionName(), MergeOracle.Kind.DIRECTORY), expect);
        observe(sysext, def, p);
    }

    /**
     * The author's .raw file as it is, at /var/lib/extensions/FILE under its own file name (NAME.raw, NAME.sysext.raw,
     * NAME_1.2.raw: the name systemd takes from it differs by version), merged through the service. VM only: a loop
     * device is needed (see the catalogue's image scenarios).
     */
    @Scenario
    @Certifies(Certifies.Form.RAW_FILE)
    void yourRawImageInVarLibExtensions(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension def = ext.definition(Extensions.USER);
        Path raw = Path.of(def.definition().raw());
        String file = raw.getFileName().toString();
        MergeOracle.Image author = MergeOracle.Image.ofFile(def, file);
        Verdict p = expected(sysext, def, author, expect, WITNESS.asImage());
        sysext.place(WITNESS);
        node.sendFile(raw, "/var/lib/extensions/" + file);
        sysext.refresh();
        observe(sysext, def, p);
    }
}
