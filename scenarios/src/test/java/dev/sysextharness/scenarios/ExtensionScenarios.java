package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.sysext.SysextAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.extension.Extension;
import dev.sysextharness.guest.BootIdProof;
import dev.sysextharness.guest.Node;
import dev.sysextharness.api.Bundles;
import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.sysext.MergeExpectation;
import dev.sysextharness.sysext.Sysext;
import java.util.List;

/**
 * Extensions installed both ways Kairos installs them — cloud-config bundles at install time, an OCI image unpacked
 * into /var/lib/extensions/NAME at runtime — and what systemd-sysext then does with /usr and /opt, across reboot
 * and unmerge. Expected hierarchies come from the flavor's SYSTEMD_SYSEXT_HIERARCHIES and the extension's tree.
 */
class ExtensionScenarios {
    static final String HELLO_LINE = "hello from sysext";
    static final String IPFS_LINE = "ipfs version 0.0.0-sysext-harness (a static stand-in for kubo)";

    static List<String> expectedHierarchies(Sysext sysext, Extension ext) {
        return MergeExpectation.hierarchiesFor(sysext.hierarchies(), ext.files());
    }

    /** Unpacks at runtime with the flavor's own command and merges through the service. */
    static void installAtRuntime(Sysext sysext, PublishedExtension ext) {
        assertThatCommand(sysext.unpack(ext.guestRef(), ext.extensionName())).succeeds();
        assertThatCommand(sysext.refresh()).succeeds();
    }

    @Scenario
    @Bundles({"hello", "kubo-like"})
    void installTimeBundlesAreMergedAtFirstBoot(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        // status lists the whole merge on every merged hierarchy: both on the union of what each ships below (measured)
        java.util.SortedSet<String> merged = new java.util.TreeSet<>(expectedHierarchies(sysext, ext.definition("hello")));
        merged.addAll(expectedHierarchies(sysext, ext.definition("kubo-like")));
        expect.that("with no command from the harness, systemd-sysext.service merged hello and kubo, both listed on " + merged)
                .that("`hello` prints '" + HELLO_LINE + "'; `ipfs` prints '" + IPFS_LINE + "'");

        assertThatCommand(node.run("systemctl is-active systemd-sysext")).succeeds().printsLine("active");
        assertThat(sysext).hasMerged("hello").on(merged.toArray(String[]::new));
        assertThat(sysext).hasMerged("kubo").on(merged.toArray(String[]::new));
        assertThatCommand(node.run("hello")).succeeds().printsLine(HELLO_LINE);
        assertThatCommand(node.run("ipfs")).succeeds().printsLine(IPFS_LINE);
    }

    @Scenario
    void runtimeUnpackMergesAfterServiceRestart(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        List<String> on = expectedHierarchies(sysext, ext.definition("hello"));
        expect.that("before: hello not merged; after unpacking " + hello.guestRef() + " with the flavor's command and"
                + " restarting systemd-sysext: merged on " + on + ", `hello` runs");

        assertThat(sysext).hasNotMerged("hello");
        installAtRuntime(sysext, hello);
        assertThat(sysext).hasMerged("hello").on(on.toArray(String[]::new));
        assertThatCommand(node.run("hello")).succeeds().printsLine(HELLO_LINE);
    }

    @Scenario
    void usrOverlayShowsExtensionFilesKeepsHostFilesAndIsReadOnly(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        expect.that("extension files under /usr visible; host files under the same hierarchies still there;"
                + " a write into a merged hierarchy fails; /usr/local (COS_PERSISTENT) stays writable");
        String hostBin = node.run("ls /usr/bin | head -1").out();

        installAtRuntime(sysext, hello);

        assertThatCommand(node.run("cat /usr/share/hello/greeting.txt")).succeeds()
                .printsLine("greeting from /usr/share/hello, merged by systemd-sysext");
        assertThatCommand(node.run("test -x /usr/bin/" + hostBin)).as("host file /usr/bin/%s", hostBin).succeeds();
        assertThatCommand(node.run("test -f /usr/lib/os-release")).as("host /usr/lib/os-release").succeeds();
        assertThatCommand(node.sudo("touch /usr/bin/harness-write-probe")).fails().saysInStderr("Read-only file system");
        assertThat(sysext.writable("/usr/local")).as("/usr/local writable while /usr/* is merged").isTrue();
    }

    @Scenario
    void optFollowsTheFlavorsHierarchies(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        boolean merged = sysext.hierarchies().contains("/opt");
        expect.that(merged ? "/opt is a sysext hierarchy of this flavor: /opt/hello visible and /opt read-only"
                : "/opt is not a sysext hierarchy of this flavor (Kairos default): /opt/hello absent, /opt stays"
                + " writable, persistent data in /opt intact");
        node.sudoOk("echo kept > /opt/harness-data");

        installAtRuntime(sysext, hello);

        assertThatCommand(node.run("cat /opt/harness-data")).succeeds().printsLine("kept");
        if (merged) {
            assertThatCommand(node.run("test -f /opt/hello/data.txt")).succeeds();
            assertThat(sysext.writable("/opt")).as("/opt writable while merged").isFalse();
        } else {
            assertThat(sysext).hasMerged("hello").notOn("/opt");
            assertThatCommand(node.run("test -e /opt/hello")).as("/opt/hello without /opt in the hierarchies").fails();
            assertThat(sysext.writable("/opt")).as("/opt writable (not a merged hierarchy)").isTrue();
        }
    }

    @Scenario
    void optOptInMergesOptUntilUnmerged(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        node.sudoOk("echo kept > /opt/harness-data");
        sysext.optInOpt();
        expect.that("with the documented opt-in (hierarchies + /opt): hello merged on /opt, /opt/hello/data.txt visible,"
                + " /opt read-only while merged with persistent data still visible; after unmerge /opt writable again,"
                + " data intact, /opt/hello gone");

        installAtRuntime(sysext, hello);

        assertThat(sysext).hasMerged("hello").on(expectedHierarchies(sysext, ext.definition("hello")).toArray(String[]::new))
                .includes("/opt");
        assertThatCommand(node.run("cat /opt/hello/data.txt")).succeeds()
                .printsLine("data from /opt/hello, visible only where /opt is a sysext hierarchy");
        assertThatCommand(node.run("cat /opt/harness-data")).succeeds().printsLine("kept");
        assertThat(sysext.writable("/opt")).as("/opt writable while merged").isFalse();

        assertThatCommand(sysext.stopService()).succeeds();

        assertThat(sysext.writable("/opt")).as("/opt writable after unmerge").isTrue();
        assertThatCommand(node.run("cat /opt/harness-data")).succeeds().printsLine("kept");
        assertThatCommand(node.run("test -e /opt/hello")).fails();
    }

    @Scenario
    void mergedAgainAfterRebootWhileRunExtensionsAreGone(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        PublishedExtension kubo = ext.published("kubo-like");
        expect.that("hello in /var/lib/extensions and kubo in /run/extensions both merged; after a reboot (boot_id"
                + " changes) the service merges hello again with no command from the harness, and kubo is gone");

        assertThatCommand(sysext.unpack(hello.guestRef(), hello.extensionName())).succeeds();
        assertThatCommand(sysext.unpackInto(kubo.guestRef(), "/run/extensions/" + kubo.extensionName())).succeeds();
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged("hello");
        assertThat(sysext).hasMerged("kubo");

        BootIdProof proof = node.reboot();

        assertThat(proof.after()).isNotEqualTo(proof.before());
        assertThat(sysext).hasMerged("hello");
        assertThat(sysext).hasNotMerged("kubo");
        assertThatCommand(node.run("test -e /run/extensions/" + kubo.extensionName())).fails();
        assertThatCommand(node.run("hello")).succeeds().printsLine(HELLO_LINE);
    }

    @Scenario
    void unmergeRestoresTheHostAndRemovalLastsAcrossReboot(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        PublishedExtension hello = ext.published("hello");
        expect.that("stopping systemd-sysext unmerges: /usr/bin/hello gone, /usr/bin no longer an overlay, host files"
                + " intact; `systemd-sysext unmerge` with the flavor's hierarchies does the same; after removing"
                + " /var/lib/extensions/hello and refreshing, nothing is merged, also after a reboot");
        String hostBin = node.run("ls /usr/bin | head -1").out();
        installAtRuntime(sysext, hello);
        assertThat(sysext).hasMerged("hello");

        assertThatCommand(sysext.stopService()).succeeds();
        assertThat(sysext).hasNothingMerged();
        assertThatCommand(node.run("test -e /usr/bin/hello")).fails();
        assertThat(sysext.mount("/usr/bin")).as("mount on /usr/bin after unmerge").isNull();
        assertThatCommand(node.run("test -x /usr/bin/" + hostBin)).succeeds();

        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged("hello");
        assertThatCommand(sysext.unmerge()).succeeds();
        assertThat(sysext).hasNothingMerged();
        assertThatCommand(node.run("test -e /usr/bin/hello")).fails();

        node.sudoOk("rm -rf /var/lib/extensions/" + hello.extensionName());
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasNothingMerged();
        node.reboot();
        assertThat(sysext).hasNothingMerged();
        assertThatCommand(node.run("test -e /usr/bin/hello")).fails();
    }
}
