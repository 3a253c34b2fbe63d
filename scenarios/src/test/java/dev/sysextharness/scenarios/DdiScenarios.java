package dev.sysextharness.scenarios;

import static dev.sysextharness.scenarios.CompatibilityScenarios.marked;
import static dev.sysextharness.sysext.SysextAssert.assertThat;

import dev.sysextharness.api.Bundles;
import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.FirmwareDb;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.guest.Node;
import dev.sysextharness.sysext.DirectoryExtension;
import dev.sysextharness.sysext.MergeOracle;
import dev.sysextharness.sysext.Sysext;
import java.util.ArrayList;
import java.util.List;

/**
 * Extensions the way Kairos ships them today: DDIs ({@code NAME.sysext.raw}, made here by systemd-repart as AuroraBoot
 * makes them: an erofs root partition, its verity hash partition, its signature partition) under the flavor's image
 * policy and under Kairos's UKI drop-ins ({@code sysext.variants} in the flavor file, with the certificate of the
 * harness's "trusted" key in /run/verity.d standing for the firmware's db). Each cell places a good directory
 * extension beside the DDI, because one image the service refuses takes every other one down (kairos#4988). VM only:
 * a .raw needs a loop device.
 */
class DdiScenarios {
    /** The good extension beside every DDI. */
    static DirectoryExtension good() {
        return marked("gooddir").release("ID=_any");
    }

    /** Predicts with the policy and trust in force, writes the prediction down, places, refreshes, checks every part. */
    static MergeOracle.Prediction predictAndObserve(Node node, Sysext sysext, Expectation expect, MergeOracle.Trust trust,
            DirectoryExtension... exts) {
        List<MergeOracle.Image> images = new ArrayList<>();
        for (DirectoryExtension e : exts) {
            images.add(e.asImage());
        }
        MergeOracle.Prediction p = MergeOracle.predict(node.systemd(), sysext.imagePolicy(), sysext.hierarchies(), sysext.hostOsRelease(),
                images, trust);
        expect.that("under " + (sysext.imagePolicy() == null ? "no --image-policy" : "--image-policy=" + sysext.imagePolicy())
                + (trust.verityDirs().isEmpty() ? "" : ", /run/verity.d holding " + trust.verityDirs())
                + (trust.kernel().isEmpty() ? "" : ", the kernel trusting " + trust.kernel() + " from the firmware's db")
                + (trust.firmwareDbIgnored().isEmpty() ? "" : ", the firmware's db holding " + trust.firmwareDbIgnored()
                + ", which this kernel does not take for verity") + ": " + p.describe());
        for (DirectoryExtension e : exts) {
            sysext.place(e);
        }
        sysext.refresh();
        assertThat(sysext).refreshedAs(p);
        CompatibilityScenarios.observeMarkers(node, p, exts);
        return p;
    }

    /** The service set up as the flavor's policy {@code variant}, then one image beside the good extension. */
    static void underVariant(Node node, Sysext sysext, Expectation expect, String variant, DirectoryExtension image) {
        predictAndObserve(node, sysext, expect, sysext.useVariant(variant), image, good());
    }

    @Scenario
    void aVerityDdiUnderTheFlavorsPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, MergeOracle.Trust.NONE,
                marked("vddi").release("ID=_any").asVerityDdi("vddi.raw"), good());
    }

    @Scenario
    void aDdiWithoutVerityUnderTheFlavorsPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, MergeOracle.Trust.NONE,
                marked("pddi").release("ID=_any").asPlainDdi("pddi.raw"), good());
    }

    /** A DDI signed with a key the node does not trust, under the flavor's own (non-UKI) policy. */
    @Scenario
    void anUntrustedSignatureUnderTheFlavorsPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, MergeOracle.Trust.NONE,
                marked("uddi").release("ID=_any").asSignedDdi("uddi.raw", sysext.signingKey("untrusted")), good());
    }

    @Scenario(requires = Capability.IMAGE_POLICY)
    void aTrustedSignatureUnderTheUkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki",
                marked("sddi").release("ID=_any").asSignedDdi("sddi.raw", sysext.signingKey("trusted")));
    }

    /** The kairos#4425 case: the policy of Kairos v3.7 to v4.2 and a signature nobody trusts. */
    @Scenario(requires = Capability.IMAGE_POLICY)
    void anUntrustedSignatureUnderTheV37UkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki-v3.7",
                marked("uddi").release("ID=_any").asSignedDdi("uddi.raw", sysext.signingKey("untrusted")));
    }

    /** The same image under the policy Kairos changed to (PR #4444). */
    @Scenario(requires = Capability.IMAGE_POLICY)
    void anUntrustedSignatureUnderTheUkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki",
                marked("uddi").release("ID=_any").asSignedDdi("uddi.raw", sysext.signingKey("untrusted")));
    }

    @Scenario(requires = Capability.IMAGE_POLICY)
    void anUnsignedVerityDdiUnderTheUkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki", marked("vddi").release("ID=_any").asVerityDdi("vddi.raw"));
    }

    @Scenario(requires = Capability.IMAGE_POLICY)
    void anUnsignedVerityDdiUnderTheV37UkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki-v3.7", marked("vddi").release("ID=_any").asVerityDdi("vddi.raw"));
    }

    /**
     * A DDI signed with the trusted key on a node whose firmware's db holds that key's certificate, nothing in
     * /run/verity.d — the trust a Secure Boot machine's kernel has of its own — under the flavor's own policy. On 252
     * (no policy) the signature decides: only a kernel that takes the firmware's db for verity lets the image merge.
     */
    @Scenario(families = Family.REFERENCE)
    @FirmwareDb("trusted")
    void aSignatureTrustedOnlyByTheFirmwareUnderTheFlavorsPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, sysext.trust(),
                marked("fddi").release("ID=_any").asSignedDdi("fddi.raw", sysext.signingKey("trusted")), good());
    }

    /**
     * The same node under Kairos's UKI policy (signed only) without the certificates immucore would copy into
     * /run/verity.d: the kernel's trust alone decides (measured: trixie's and sid's kernels take the firmware's db,
     * bookworm's does not).
     */
    @Scenario(requires = Capability.IMAGE_POLICY, families = Family.REFERENCE)
    @FirmwareDb("trusted")
    void aSignatureTrustedOnlyByTheFirmwareUnderTheUkiPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, sysext.useVariantPolicyOnly("uki"),
                marked("fddi").release("ID=_any").asSignedDdi("fddi.raw", sysext.signingKey("trusted")), good());
    }

    /**
     * The file name Kairos documents, NAME.sysext.raw, on a verity DDI carrying extension-release.NAME: the name systemd
     * takes from the file differs by version (see CompatibilityScenarios.imageNamesFromFileNames).
     */
    @Scenario
    void aVerityDdiNamedTheKairosWay(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, MergeOracle.Trust.NONE,
                marked("work").release("ID=_any").asVerityDdi("work.sysext.raw"), good());
    }

    /**
     * A versioned file name, NAME_VERSION.sysext.raw, on a verity DDI carrying extension-release.NAME, under the flavor's
     * policy: whether the release file fits depends on the version (Capability.RELEASE_NAMED_WITHOUT_VERSION), and a
     * .raw whose release does not fit fails the whole refresh.
     */
    @Scenario
    void aVersionedVerityDdiUnderTheFlavorsPolicy(Node node, Sysext sysext, Expectation expect) {
        predictAndObserve(node, sysext, expect, MergeOracle.Trust.NONE,
                marked("tools").release("ID=_any").asVerityDdi("tools_1.2.sysext.raw"), good());
    }

    /** The same name on a DDI signed with the trusted key, under Kairos's UKI policy (signed only). */
    @Scenario(requires = Capability.IMAGE_POLICY)
    void aVersionedSignedDdiUnderTheUkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki",
                marked("tools").release("ID=_any").asSignedDdi("tools_1.2.sysext.raw", sysext.signingKey("trusted")));
    }

    /** The same signed image under the UKI policy of Kairos v3.7 to v4.2 (verity+signed). */
    @Scenario(requires = Capability.IMAGE_POLICY)
    void aVersionedSignedDdiUnderTheV37UkiPolicy(Node node, Sysext sysext, Expectation expect) {
        underVariant(node, sysext, expect, "uki-v3.7",
                marked("tools").release("ID=_any").asSignedDdi("tools_1.2.sysext.raw", sysext.signingKey("trusted")));
    }

    /**
     * kairos#4988 with a bundle: a DDI the flavor's policy refuses, dropped beside an install-time bundle, takes the
     * bundle down at the next refresh and again at the next boot; removing it brings the bundle back.
     */
    @Scenario
    @Bundles("hello")
    void aRefusedDdiTakesTheBundleDownUntilItIsRemoved(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        MergeOracle.Image bundle = MergeOracle.Image.of(ext.definition("hello"), ext.definition("hello").extensionName(),
                MergeOracle.Kind.DIRECTORY);
        DirectoryExtension bad = marked("pddi").release("ID=_any").asPlainDdi("pddi.raw");
        MergeOracle.Prediction withBad = MergeOracle.predict(node.systemd(), sysext.imagePolicy(), sysext.hierarchies(),
                sysext.hostOsRelease(), List.of(bundle, bad.asImage()));
        MergeOracle.Prediction without = MergeOracle.predict(node.systemd(), sysext.imagePolicy(), sysext.hierarchies(),
                sysext.hostOsRelease(), List.of(bundle));
        expect.that("after the refresh and again after a reboot: " + withBad.describe())
                .that("after removing " + bad.path() + " and a refresh: " + without.describe());

        sysext.place(bad);
        sysext.refresh();
        assertThat(sysext).refreshedAs(withBad);
        node.reboot();
        assertThat(sysext).refreshedAs(withBad);
        node.sudoOk("rm -f " + bad.path());
        sysext.refresh();
        assertThat(sysext).refreshedAs(without);
    }
}
