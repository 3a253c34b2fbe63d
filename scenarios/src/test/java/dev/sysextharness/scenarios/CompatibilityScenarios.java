package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.sysext.SysextAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Node;
import dev.sysextharness.scenario.Expectation;
import dev.sysextharness.scenario.Scenario;
import dev.sysextharness.sysext.Compatibility;
import dev.sysextharness.sysext.DirectoryExtension;
import dev.sysextharness.sysext.MergeExpectation;
import dev.sysextharness.sysext.Sysext;
import dev.sysextharness.sysext.SysextStatus;
import java.util.List;
import java.util.Map;

/**
 * The compatibility catalogue: what systemd-sysext of the flavor's version does with a given extension-release,
 * conflict, mask, image or mode. Each scenario asks the oracle ({@link Compatibility}, {@link Capability}) before
 * it acts, using the host's os-release and the flavor's declared systemd version as inputs, then observes.
 * Everything but the reboot depends only on the flavor's userspace and its systemd, so those scenarios run
 * unchanged in both lanes: on a booted node and in a container of the same root file system.
 */
class CompatibilityScenarios {

    /** An extension shipping usr/share/NAME/marker, so the oracle's merge decision is visible as a file. */
    static DirectoryExtension marked(String name) {
        return DirectoryExtension.named(name).file("usr/share/" + name + "/marker", name);
    }

    /** Places the extension, refreshes through the service, and checks the oracle's verdict. */
    static void judgeAndObserve(Guest guest, Sysext sysext, Expectation expect, DirectoryExtension ext, Map<String, String> release) {
        Compatibility.Verdict v = Compatibility.judge(guest.systemd(), sysext.hostOsRelease(), release);
        expect.that(ext.name() + (v.merged() ? " merged: " : " ignored: ") + v.because());
        sysext.place(ext);
        assertThatCommand(sysext.refresh()).succeeds();
        if (v.merged()) {
            List<String> on = MergeExpectation.hierarchiesFor(sysext.hierarchies(), ext.paths());
            assertThat(sysext).hasMerged(ext.name()).on(on.toArray(String[]::new));
            assertThatCommand(guest.run("cat /usr/share/" + ext.name() + "/marker")).succeeds().printsLine(ext.name());
        } else {
            assertThat(sysext).hasNotMerged(ext.name());
            assertThatCommand(guest.run("test -e /usr/share/" + ext.name() + "/marker")).fails();
        }
    }

    /** The host's VERSION_ID as an extension-release line (sid has none: then a comment line). */
    static String hostsVersionId(Map<String, String> host) {
        return host.containsKey("VERSION_ID") ? "VERSION_ID=" + host.get("VERSION_ID") : "# the host has no VERSION_ID";
    }

    static Map<String, String> release(DirectoryExtension ext, String... lines) {
        ext.release(lines);
        return Compatibility.parseRelease(String.join("\n", lines));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void idAnyMergesOnEveryHost(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("id-any");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=_any"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void hostIdWithItsVersionIdMerges(Guest guest, Sysext sysext, Expectation expect) {
        Map<String, String> host = sysext.hostOsRelease();
        DirectoryExtension ext = marked("host-id");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=" + host.get("ID"), hostsVersionId(host)));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void hostIdWithAnotherVersionIdIsIgnored(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("other-version");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=" + sysext.hostOsRelease().get("ID"), "VERSION_ID=0.0.1-harness"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void foreignIdIsIgnored(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("foreign-id");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=fedora", "VERSION_ID=40"));
    }

    /** A field added to the host's os-release: a copy in the ephemeral /etc, so the override dies with the guest. */
    static void hostOsReleaseAdds(Guest guest, String line) {
        guest.sudoOk("cp --remove-destination \"$(readlink -f /etc/os-release)\" /etc/os-release"
                + " && echo '" + line + "' >> /etc/os-release");
    }

    static void hostLevel(Guest guest, String level) {
        hostOsReleaseAdds(guest, "SYSEXT_LEVEL=" + level);
    }

    /**
     * An extension built for the host's parent distribution (its ID is the host's ID_LIKE, as an Ubuntu-based
     * Kairos node has ID_LIKE=debian): accepted from 258 (and 257.13), ignored before. Debian has no ID_LIKE, so the
     * host gets one.
     */
    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void anExtensionForTheHostsIdLikeFamily(Guest guest, Sysext sysext, Expectation expect) {
        hostOsReleaseAdds(guest, "ID_LIKE=harness-family");
        Map<String, String> host = sysext.hostOsRelease();
        DirectoryExtension ext = marked("id-like");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=harness-family", hostsVersionId(host)));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void equalSysextLevelMergesWhateverTheVersionId(Guest guest, Sysext sysext, Expectation expect) {
        hostLevel(guest, "1.0");
        DirectoryExtension ext = marked("level-equal");
        judgeAndObserve(guest, sysext, expect, ext,
                release(ext, "ID=" + sysext.hostOsRelease().get("ID"), "SYSEXT_LEVEL=1.0", "VERSION_ID=0.0.1-harness"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void unequalSysextLevelIsIgnoredEvenWithTheHostsVersionId(Guest guest, Sysext sysext, Expectation expect) {
        hostLevel(guest, "1.0");
        Map<String, String> host = sysext.hostOsRelease();
        DirectoryExtension ext = marked("level-unequal");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=" + host.get("ID"), "SYSEXT_LEVEL=2.0", hostsVersionId(host)));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void matchingArchitectureMerges(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("arch-x86-64");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=_any", "ARCHITECTURE=x86-64"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void foreignArchitectureIsIgnored(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("arch-arm64");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=_any", "ARCHITECTURE=arm64"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void portableScopeIsIgnoredByTheHost(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("scope-portable");
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=_any", "SYSEXT_SCOPE=portable"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void missingExtensionReleaseIsIgnored(Guest guest, Sysext sysext, Expectation expect) {
        judgeAndObserve(guest, sysext, expect, marked("no-release"), null);
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void releaseNamedForAnotherImageIsIgnored(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("misnamed").releaseFileNamed("someone-else").release("ID=_any");
        judgeAndObserve(guest, sysext, expect, ext, null);
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM}, requires = Capability.STRICT_XATTR)
    void releaseNamedForAnotherImageMergesWithStrictFalse(Guest guest, Sysext sysext, Expectation expect) {
        DirectoryExtension ext = marked("misnamed-ok").releaseFileNamed("someone-else").strictFalse();
        judgeAndObserve(guest, sysext, expect, ext, release(ext, "ID=_any"));
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void anExtensionShippingOsReleaseIsRefusedAndNothingMerges(Guest guest, Flavor flavor, Sysext sysext, Expectation expect) {
        boolean refreshFails = Capability.OS_RELEASE_FAILS_MERGE.in(flavor.systemdVersion());
        expect.that("an extension with usr/lib/os-release is refused, which aborts the whole merge: the good extension"
                + " next to it is not merged either (refused at merge since 248: PR #18625); "
                + (refreshFails ? "the refresh itself fails (" + Capability.OS_RELEASE_FAILS_MERGE.source() + ")"
                : "the refresh's exit status is recorded, not judged: the failing refresh is sourced only from "
                + Capability.OS_RELEASE_FAILS_MERGE.since()));
        sysext.place(marked("good").release("ID=_any"));
        sysext.place(marked("bad-os-release").release("ID=_any").file("usr/lib/os-release", "ID=evil\n"));

        CommandResult refresh = sysext.refresh();

        if (refreshFails) {
            assertThatCommand(refresh).as("refresh with an os-release-shipping extension").fails();
        }
        assertThat(sysext).hasNothingMerged();
        assertThatCommand(sysext.serviceLog()).succeeds().printsLineMatching("(?i).*os-release.*");
        assertThatCommand(guest.run("grep -q '^ID=evil' /usr/lib/os-release")).as("host os-release untouched").fails();
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void theExtensionWhoseNameSortsLastWinsAConflict(Guest guest, Sysext sysext, Expectation expect) {
        expect.that("aaa and zzz both ship usr/share/conflict/who: zzz's copy is visible (extensions are layered in"
                + " name order, the last on top: sysext.c; Kairos docs 'Known issues')");
        sysext.place(DirectoryExtension.named("zzz").release("ID=_any").file("usr/share/conflict/who", "zzz\n"));
        sysext.place(DirectoryExtension.named("aaa").release("ID=_any").file("usr/share/conflict/who", "aaa\n"));
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged("aaa");
        assertThat(sysext).hasMerged("zzz");
        assertThatCommand(guest.run("cat /usr/share/conflict/who")).succeeds().printsLine("zzz");
    }

    @Scenario
    void anEmptyDirectoryInEtcExtensionsMasksUntilReboot(Node node, Sysext sysext, Expectation expect) {
        expect.that("an empty /etc/extensions/masked hides /var/lib/extensions/masked (man systemd-sysext; TEST-50);"
                + " /etc is ephemeral on the Kairos layout, so after a reboot the mask is gone and the service merges it");
        sysext.place(marked("masked").release("ID=_any"));
        node.sudoOk("mkdir -p /etc/extensions/masked");
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasNotMerged("masked");

        node.reboot();

        assertThatCommand(node.run("test -e /etc/extensions/masked")).fails();
        assertThat(sysext).hasMerged("masked");
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void mergingWhenAlreadyMergedFailsAndKeepsTheMerge(Guest guest, Sysext sysext, Expectation expect) {
        expect.that("a second `systemd-sysext merge` exits non-zero ('already merged', man: merge) and the first merge stays");
        sysext.place(marked("twice").release("ID=_any"));
        assertThatCommand(sysext.merge()).succeeds();
        assertThatCommand(sysext.merge()).fails();
        assertThat(sysext).hasMerged("twice");
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void refreshWithNothingChangedKeepsTheMerge(Guest guest, Sysext sysext, Expectation expect) {
        expect.that("refresh twice with nothing changed: exit 0 both times, still merged");
        sysext.place(marked("steady").release("ID=_any"));
        assertThatCommand(sysext.refresh()).succeeds();
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged("steady");
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void refreshAfterChangingADirectoryExtensionInPlace(Guest guest, Flavor flavor, Sysext sysext, Expectation expect) {
        boolean skips = Capability.REFRESH_SKIPS_UNCHANGED.in(flavor.systemdVersion());
        expect.that(skips ? "the refresh is skipped (" + Capability.REFRESH_SKIPS_UNCHANGED.source() + "): /usr/share keeps its merge time"
                : "the refresh re-merges (" + Capability.REFRESH_SKIPS_UNCHANGED.behaviour() + " only from "
                + Capability.REFRESH_SKIPS_UNCHANGED.since() + "): /usr/share gets a new merge time and the added file");
        sysext.place(marked("inplace").release("ID=_any"));
        assertThatCommand(sysext.refresh()).succeeds();
        long before = sysext.status().since("/usr/share");
        guest.sudoOk("echo added > /var/lib/extensions/inplace/usr/share/inplace/added");

        assertThatCommand(sysext.reload()).succeeds();

        SysextStatus after = sysext.status();
        assertThat(after.hierarchiesWith("inplace")).contains("/usr/share");
        if (skips) {
            assertThat(after.since("/usr/share")).as("merge time of /usr/share after refresh").isEqualTo(before);
        } else {
            assertThat(after.since("/usr/share")).as("merge time of /usr/share after refresh").isNotEqualTo(before);
            assertThatCommand(guest.run("cat /usr/share/inplace/added")).succeeds().printsLine("added");
        }
    }

    // VM only: a .raw image needs a loop device, and without udev in the container the attach fails for reasons
    // that are not the behaviour under test (measured: "Device or resource busy" on 254 and 262, "Package not
    // installed" on 257), so a container verdict would agree or disagree by accident.
    @Scenario
    void anUnprotectedSquashfsImageFollowsTheImagePolicy(Guest guest, Flavor flavor, Sysext sysext, Expectation expect) {
        String policy = flavor.sysext().imagePolicy();
        expect.that(policy == null
                ? "no image policy in the flavor's drop-in: a plain squashfs sq.raw is merged"
                : "the drop-in's --image-policy=" + policy + " refuses an unprotected (no verity) squashfs: sq.raw is not"
                + " merged (" + Capability.IMAGE_POLICY.source() + ")");
        guest.sudoOk("rm -rf /var/tmp/sq && mkdir -p /var/tmp/sq/usr/share/sq /var/tmp/sq/usr/lib/extension-release.d"
                + " && echo sq > /var/tmp/sq/usr/share/sq/marker && echo ID=_any > /var/tmp/sq/usr/lib/extension-release.d/extension-release.sq"
                + " && mksquashfs /var/tmp/sq /var/lib/extensions/sq.raw -quiet -noappend -all-root >/dev/null");
        sysext.refresh();
        if (policy == null) {
            assertThat(sysext).hasMerged("sq");
            assertThatCommand(guest.run("cat /usr/share/sq/marker")).succeeds().printsLine("sq");
        } else {
            assertThat(sysext).hasNotMerged("sq");
            assertThatCommand(guest.run("test -e /usr/share/sq/marker")).fails();
        }
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM}, requires = Capability.MUTABLE)
    void mutableWritesLandInTheRoutingDirAndSurviveUnmerge(Guest guest, Sysext sysext, Expectation expect) {
        // On the Kairos layout /var is an overlay on tmpfs, and overlayfs does not take an upper dir on overlayfs, so
        // the routing dir is a symlink to COS_PERSISTENT, as a Kairos user would have to do (TEST-50 allows symlinks).
        String routing = "/usr/local/.state/extensions.mutable";
        expect.that("merged with --mutable=yes, a write under /usr/share lands below /var/lib/extensions.mutable (here a"
                + " symlink to " + routing + ") and is still there after unmerge, while /usr/share no longer shows it ("
                + Capability.MUTABLE.source() + ")");
        guest.sudoOk("mkdir -p " + routing + " && ln -sfn " + routing + " /var/lib/extensions.mutable");
        sysext.place(marked("mut").release("ID=_any"));
        String env = "SYSTEMD_SYSEXT_HIERARCHIES=" + String.join(":", sysext.hierarchies());
        assertThatCommand(guest.sudo("env " + env + " systemd-sysext merge --mutable=yes")).succeeds();
        guest.sudoOk("echo written > /usr/share/mut/written");
        String find = "find " + routing + "/ -path '*mut/written' -type f";
        assertThatCommand(guest.sudo(find)).succeeds().printsLineMatching(routing + "/.*mut/written");
        assertThatCommand(sysext.unmerge()).succeeds();
        assertThatCommand(guest.run("test -e /usr/share/mut/written")).fails();
        assertThatCommand(guest.sudo(find)).succeeds().printsLineMatching(routing + "/.*mut/written");
    }

    // VM only: a .raw image needs a loop device, and without udev in the container the attach fails for reasons
    // that are not the behaviour under test (measured: "Device or resource busy" on 254 and 262, "Package not
    // installed" on 257), so a container verdict would agree or disagree by accident.
    @Scenario
    void aBrokenImageNextToAGoodOne(Guest guest, Flavor flavor, Sysext sysext, Expectation expect) {
        boolean skipped = !Capability.BROKEN_IMAGE_FAILS_REFRESH.in(flavor.systemdVersion());
        expect.that(skipped ? "the unreadable broken.raw is skipped and good is merged"
                : "the unreadable broken.raw fails the whole refresh and good is not merged ("
                + Capability.BROKEN_IMAGE_FAILS_REFRESH.source() + ")");
        sysext.place(marked("good").release("ID=_any"));
        guest.sudoOk("head -c 1048576 /dev/urandom > /var/lib/extensions/broken.raw");
        sysext.refresh();
        if (skipped) {
            assertThat(sysext).hasMerged("good");
        } else {
            assertThat(sysext).hasNotMerged("good");
        }
    }

    @Scenario(lanes = {Lane.CONTAINER, Lane.VM})
    void aNonLoginShellWithoutTheHierarchyVariableSeesNone(Guest guest, Sysext sysext, Expectation expect) {
        boolean defaultsCovered = sysext.hierarchies().contains("/usr");
        expect.that(defaultsCovered ? "the flavor merges /usr itself: the default view shows the merge too"
                : "the service merged id-any with the flavor's hierarchies; `systemd-sysext status` without"
                + " SYSTEMD_SYSEXT_HIERARCHIES (a non-login shell) looks at /usr and /opt and reports none");
        sysext.place(marked("seen").release("ID=_any"));
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged("seen");
        assertThat(sysext.statusWithDefaultHierarchies().anyMerged()).as("default-hierarchy status shows a merge")
                .isEqualTo(defaultsCovered);
    }
}
