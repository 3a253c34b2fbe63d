package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.sysext.MergeOracle.Image;
import dev.sysextharness.sysext.MergeOracle.Kind;
import dev.sysextharness.sysext.MergeOracle.Prediction;
import dev.sysextharness.sysext.MergeOracle.State;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The service-level oracle against what the four reference flavors did when measured (2026-12-01: 252.39, 254.26,
 * 257.13, 262.1), case by case. The catalogue runs the same cases on real nodes every run.
 */
class MergeOracleTest {
    static final SystemdVersion V252 = new SystemdVersion(252, 39);
    static final SystemdVersion V254 = new SystemdVersion(254, 26);
    static final SystemdVersion V257 = new SystemdVersion(257, 13);
    static final SystemdVersion V262 = new SystemdVersion(262, 1);
    static final String POLICY = "root=verity+absent:usr=verity+absent";
    static final List<String> KAIROS = List.of("/usr/local/bin", "/usr/bin", "/usr/share", "/usr/lib");
    static final Map<String, String> HOST = Map.of("ID", "debian", "VERSION_ID", "12");

    static Image dir(String name, Map<String, String> release) {
        return new Image("/var/lib/extensions", name, Kind.DIRECTORY, release == null ? null : name, release, false, false,
                List.of("usr/share/" + name + "/marker", "usr/lib/extension-release.d/extension-release." + name));
    }

    static Image raw(String file, String releaseSuffix) {
        return new Image("/var/lib/extensions", file, Kind.UNPROTECTED_RAW, releaseSuffix, Map.of("ID", "_any"), false, false,
                List.of("usr/share/x/marker", "usr/lib/extension-release.d/extension-release." + releaseSuffix));
    }

    static Prediction predict(SystemdVersion v, String policy, Image... images) {
        return MergeOracle.predict(v, policy, KAIROS, HOST, List.of(images));
    }

    @Test
    void imageNamesFromFileNames() {
        Image sysextRaw = raw("b.sysext.raw", "b");
        assertThat(MergeOracle.imageName(V252, sysextRaw)).isEqualTo("b.sysext");
        assertThat(MergeOracle.imageName(V254, sysextRaw)).isEqualTo("b.sysext");
        assertThat(MergeOracle.imageName(V257, sysextRaw)).isEqualTo("b");
        assertThat(MergeOracle.imageName(V262, sysextRaw)).isEqualTo("b");
        for (SystemdVersion v : List.of(V252, V254, V257, V262)) {
            assertThat(MergeOracle.imageName(v, raw("c_1.2.raw", "c"))).as("version suffix on %s", v).isEqualTo("c_1.2");
            assertThat(MergeOracle.imageName(v, raw("d+3-1.raw", "d"))).isEqualTo("d+3-1");
            assertThat(MergeOracle.imageName(v, raw("e.confext.raw", "e"))).isEqualTo("e.confext");
        }
    }

    @Test
    void aSysextRawNamedTheKairosWayFailsTheWholeRefreshBefore257() {
        Image kairosStyle = raw("work.sysext.raw", "work");
        Image good = dir("good", Map.of("ID", "_any"));
        Prediction p252 = predict(V252, null, kairosStyle, good);
        assertThat(p252.exitStatus()).isEqualTo(1);
        assertThat(p252.fate("work.sysext").state()).isEqualTo(State.FAILED);
        assertThat(p252.fate("good").state()).isEqualTo(State.ABORTED);
        assertThat(p252.logPatterns()).singleElement().satisfies(l -> assertThat("Failed to read metadata for image work.sysext: No medium found").matches(l));

        Prediction p257 = predict(V257, null, kairosStyle, good);
        assertThat(p257.exitStatus()).as("257 names it 'work', its release fits").isZero();
        assertThat(p257.merged()).containsExactly("good", "work");
        assertThat("Using extensions 'good', 'work.sysext.raw'.").matches(p257.logPatterns().get(1));
    }

    @Test
    void aVersionedRawMayCarryTheReleaseOfItsUnversionedNameFrom254() {
        Image versioned = raw("tools_1.2.raw", "tools");
        assertThat(predict(V252, null, versioned).exitStatus()).as("252: no metadata for 'tools_1.2'").isEqualTo(1);
        assertThat(predict(V254, null, versioned).merged()).containsExactly("tools_1.2");
        assertThat(predict(V257, null, raw("tools_1.2.sysext.raw", "tools")).merged()).containsExactly("tools_1.2");
        assertThat(predict(V257, null, raw("tools-1.2.raw", "tools")).exitStatus()).as("only '_' separates a version").isEqualTo(1);
        Prediction underPolicy = predict(V257, POLICY, versioned);
        assertThat(underPolicy.fate("tools_1.2").reason()).as("257 with Kairos's policy").contains("refuses an image without verity");
    }

    @Test
    void thePolicyRefusingASquashfsTakesTheGoodOneDown() {
        Image sq = raw("sq.raw", "sq");
        Image good = dir("gooddir", Map.of("ID", "_any"));
        Prediction p254 = predict(V254, POLICY, sq, good);
        assertThat(p254.exitStatus()).as("254 exits 0 having merged nothing").isZero();
        assertThat(p254.merged()).isEmpty();
        assertThat(p254.fate("gooddir").state()).isEqualTo(State.ABORTED);
        assertThat(p254.logPatterns()).containsExactly("(\\Q/var/lib/extensions/sq.raw\\E): Image does not match image policy\\.");

        for (SystemdVersion v : List.of(V257, V262)) {
            Prediction p = predict(v, POLICY, sq, good);
            assertThat(p.exitStatus()).isEqualTo(1);
            assertThat(p.logPatterns()).contains("Failed to merge hierarchies");
            assertThat(p.fate("sq").state()).isEqualTo(State.FAILED);
        }
        assertThat(predict(V252, null, sq, good).merged()).as("no policy before 254: both merge").containsExactly("gooddir", "sq");
    }

    @Test
    void anUnreadableImageFailsTheRefreshOnEveryVersion() {
        Image broken = new Image("/var/lib/extensions", "broken.raw", Kind.UNREADABLE_RAW, null, null, false, false, List.of());
        for (SystemdVersion v : List.of(V252, V254, V257, V262)) {
            Prediction p = predict(v, POLICY, broken, dir("gooddir", Map.of("ID", "_any")));
            assertThat(p.exitStatus()).isEqualTo(1);
            assertThat("Failed to read metadata for image broken: Package not installed").matches(p.logPatterns().get(0));
            assertThat(p.fate("gooddir").state()).isEqualTo(State.ABORTED);
        }
    }

    @Test
    void anIncompatibleOrReleaselessDirectoryIsIgnoredQuietly() {
        Prediction p = predict(V257, POLICY, dir("good", Map.of("ID", "_any")), dir("foreign", Map.of("ID", "fedora", "VERSION_ID", "40")),
                dir("norel", null));
        assertThat(p.exitStatus()).isZero();
        assertThat(p.merged()).containsExactly("good");
        assertThat(p.fate("foreign").reason()).startsWith("incompatible: ID=fedora is not the host's ID=debian");
        assertThat(p.fate("norel").reason()).isEqualTo("it carries no extension-release file");
        assertThat(p.mergedHierarchies()).containsExactly("/usr/lib", "/usr/share");
    }

    @Test
    void osReleaseInAnExtensionRefusesTheMergeWithExit0On252AndFailsItFrom254() {
        Image bad = new Image("/var/lib/extensions", "badosrel", Kind.DIRECTORY, "badosrel", Map.of("ID", "_any"), false, true,
                List.of("usr/lib/os-release"));
        Prediction p252 = predict(V252, null, bad, dir("good", Map.of("ID", "_any")));
        assertThat(p252.exitStatus()).isZero();
        assertThat(p252.merged()).isEmpty();
        assertThat("Extension image contains /usr/lib/os-release file, which is not allowed (it may carry /etc/os-release), refusing.")
                .matches(p252.logPatterns().get(0));
        Prediction p254 = predict(V254, POLICY, bad, dir("good", Map.of("ID", "_any")));
        assertThat(p254.exitStatus()).isEqualTo(1);
        assertThat("Failed to read metadata for image badosrel: No medium found").matches(p254.logPatterns().get(0));
    }

    @Test
    void precedenceMasksAndDevNullLinks() {
        Image etcMask = new Image("/etc/extensions", "m", Kind.DIRECTORY, null, null, false, false, List.of());
        Image devNull = new Image("/etc/extensions", "keep.raw", Kind.DEV_NULL_LINK, null, null, false, false, List.of());
        Prediction p = predict(V252, null, dir("m", Map.of("ID", "_any")), etcMask, raw("keep.raw", "keep"), devNull);
        assertThat(p.fate("/var/lib/extensions/m").state()).isEqualTo(State.MASKED);
        assertThat(p.merged()).containsExactly("keep");

        Prediction onlyMasked = predict(V254, null, dir("m", Map.of("ID", "_any")), etcMask);
        assertThat("No suitable extensions found (1 ignored due to incompatible image(s)).").matches(onlyMasked.logPatterns().get(0));
        assertThat("No suitable extensions found (1 ignored due to incompatible version).")
                .matches(predict(V252, null, dir("m", Map.of("ID", "_any")), etcMask).logPatterns().get(0));
        assertThat("No extensions found.").matches(predict(V262, POLICY).logPatterns().get(0));
    }

    /** immucore's link of a common/ image before v0.13.0, and what remove without --now leaves: skipped, masking nothing. */
    @Test
    void aLinkToNothingIsSkippedAndMasksNothing() {
        for (SystemdVersion v : List.of(V252, V254, V257, V262)) {
            Prediction p = predict(v, v.major() >= 254 ? POLICY : null, Image.danglingLink("/run/extensions", "m"),
                    Image.danglingLink("/run/extensions", "gone.raw"), dir("m", Map.of("ID", "_any")));
            assertThat(p.succeeds()).as("on %s", v).isTrue();
            assertThat(p.merged()).as("on %s", v).containsExactly("m");
            assertThat(p.fate("/run/extensions/gone.raw").state()).isEqualTo(State.IGNORED);
            assertThat(p.fate("/run/extensions/gone.raw").reason()).contains("symlink to nothing");
        }
    }

    @Test
    void aSignedImageWhoseSignerIsUnknownIsTrustedByNobody() {
        Image signed = new Image("/var/lib/extensions", "s.raw", Kind.SIGNED_RAW, "s", Map.of("ID", "_any"), false, false,
                List.of("usr/share/s/marker", "usr/lib/extension-release.d/extension-release.s"), null);
        Prediction p = MergeOracle.predict(V257, "root=signed+absent:usr=signed+absent", KAIROS, HOST, List.of(signed),
                MergeOracle.Trust.verityDirs("36bf"));
        assertThat(p.merged()).as(p.describe()).isEmpty();
        assertThat(p.fate("s").reason()).contains("which the node does not trust");
    }

    /**
     * The firmware's db, as measured under OVMF (resources/measured/kernel-trust/): a kernel that takes it for verity
     * admits the image under the signed-only policy; one that does not leaves it refused, and the reason says why.
     */
    @Test
    void aCertificateInTheFirmwaresDbCountsOnlyWhereTheKernelTakesIt() {
        Image signed = new Image("/var/lib/extensions", "f.raw", Kind.SIGNED_RAW, "f", Map.of("ID", "_any"), false, false,
                List.of("usr/share/f/marker", "usr/lib/extension-release.d/extension-release.f"), "36bf");
        String uki = "root=signed+absent:usr=signed+absent";
        Prediction taken = MergeOracle.predict(V257, uki, KAIROS, HOST, List.of(signed), new MergeOracle.Trust(Set.of("36bf"), Set.of()));
        assertThat(taken.merged()).as(taken.describe()).containsExactly("f");
        assertThat(taken.fate("f").reason()).as(taken.describe()).contains("the kernel's keyring (the firmware's db");

        Prediction ignored = MergeOracle.predict(V254, uki, KAIROS, HOST, List.of(signed),
                new MergeOracle.Trust(Set.of(), Set.of(), Set.of("36bf")));
        assertThat(ignored.merged()).as(ignored.describe()).isEmpty();
        assertThat(ignored.fate("f").reason()).contains("its firmware's db holds it, but this kernel's dm-verity does not consult"
                + " the .platform keyring");
        Prediction noPolicy = MergeOracle.predict(V252, null, KAIROS, HOST, List.of(signed), new MergeOracle.Trust(Set.of(), Set.of(), Set.of("36bf")));
        assertThat(noPolicy.merged()).as("252 without a policy: the signature decides").isEmpty();
    }

    /**
     * Under a policy that does not ask for the signature, 262 offers it first and falls back to verity: the kernel's
     * refusal is logged only when it does not trust the signer (debian-sid under OVMF with the certificate in db).
     */
    @Test
    void aKernelTrustingTheSignerRefusesNothingBeforeTheVerityFallback() {
        Image signed = new Image("/var/lib/extensions", "f.raw", Kind.SIGNED_RAW, "f", Map.of("ID", "_any"), false, false,
                List.of("usr/share/f/marker", "usr/lib/extension-release.d/extension-release.f"), "36bf");
        Prediction trusted = MergeOracle.predict(V262, POLICY, KAIROS, HOST, List.of(signed), new MergeOracle.Trust(Set.of("36bf"), Set.of()));
        assertThat(trusted.merged()).as(trusted.describe()).containsExactly("f");
        assertThat(trusted.logPatterns()).as(trusted.describe()).doesNotContain(MergeOracle.KEY_REJECTED_LINE);

        Prediction untrusted = MergeOracle.predict(V262, POLICY, KAIROS, HOST, List.of(signed), MergeOracle.Trust.NONE);
        assertThat(untrusted.merged()).as(untrusted.describe()).containsExactly("f");
        assertThat(untrusted.logPatterns()).as(untrusted.describe()).contains(MergeOracle.KEY_REJECTED_LINE);
    }
}
