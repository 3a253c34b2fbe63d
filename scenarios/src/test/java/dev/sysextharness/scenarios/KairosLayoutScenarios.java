package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.guest.MountAssert.assertThatMount;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.BootIdProof;
import dev.sysextharness.guest.Node;
import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Scenario;

/**
 * The node looks like a Kairos node to sysext (immucore's layout): the ground every other scenario stands on.
 * Expectations come from Kairos's layout and the flavor's declared sysext configuration.
 */
class KairosLayoutScenarios {

    @Scenario
    void nodeHasTheKairosLayout(Node node, Flavor flavor, Expectation expect) {
        String hierarchies = flavor.sysext().hierarchyVariable();
        expect.that("/ read-only from COS_ACTIVE")
                .that("/usr/local is COS_PERSISTENT, read-write")
                .that("/var/lib/extensions and /opt bound from /usr/local/.state/{var-lib-extensions,opt}.bind")
                .that("/etc, /var, /srv overlays on tmpfs")
                .that("systemd-sysext.service runs refresh" + (flavor.sysext().imagePolicy() == null ? "" : " --image-policy="
                        + flavor.sysext().imagePolicy()) + " with SYSTEMD_SYSEXT_HIERARCHIES=" + hierarchies);

        assertThatMount(node, "/").hasLabel("COS_ACTIVE").isReadOnly();
        assertThatCommand(node.sudo("touch /harness-probe")).fails().saysInStderr("Read-only file system");
        assertThatMount(node, "/usr/local").hasLabel("COS_PERSISTENT").isReadWrite();
        assertThatMount(node, "/var/lib/extensions").isBindOf("COS_PERSISTENT", "/.state/var-lib-extensions.bind").isReadWrite();
        assertThatMount(node, "/opt").isBindOf("COS_PERSISTENT", "/.state/opt.bind").isReadWrite();
        for (String rw : new String[] {"/etc", "/var", "/srv"}) {
            assertThatMount(node, rw).isOverlayWithUpperUnder("/run/overlay/");
        }
        assertThatMount(node, "/oem").hasLabel("COS_OEM");

        String env = node.run("systemctl show systemd-sysext -p Environment --value").out();
        assertThat(env).as("systemd-sysext.service Environment on %s", flavor.name())
                .contains("SYSTEMD_SYSEXT_HIERARCHIES=" + hierarchies);
        String execStart = node.run("systemctl show systemd-sysext -p ExecStart --value").out();
        assertThat(execStart).as("systemd-sysext.service ExecStart on %s", flavor.name()).contains("systemd-sysext refresh");
        if (flavor.sysext().imagePolicy() == null) {
            assertThat(execStart).as("ExecStart without an image policy (systemd %d)", flavor.systemdVersion())
                    .doesNotContain("--image-policy");
        } else {
            assertThat(execStart).contains("--image-policy=" + flavor.sysext().imagePolicy());
        }
        assertThatCommand(node.run("bash -lc 'echo $SYSTEMD_SYSEXT_HIERARCHIES'")).succeeds().printsLine(hierarchies);
        assertThatCommand(node.run("systemctl is-enabled systemd-sysext")).succeeds().printsLine("enabled");
    }

    @Scenario
    void etcIsEphemeralWhileExtensionsAndOptPersistAcrossReboot(Node node, Expectation expect) {
        expect.that("after a reboot (boot_id changes): a file in /etc is gone; files in /var/lib/extensions, /opt and"
                + " /usr/local are still there with the same content");
        String token = node.bootId();
        node.sudoOk("echo " + token + " > /etc/harness-marker"
                + " && echo " + token + " > /var/lib/extensions/harness-marker"
                + " && echo " + token + " > /opt/harness-marker"
                + " && echo " + token + " > /usr/local/harness-marker && sync");

        BootIdProof proof = node.reboot();

        assertThat(proof.after()).as("boot_id after reboot").isNotEqualTo(proof.before());
        assertThatCommand(node.run("test -e /etc/harness-marker")).as("/etc is ephemeral").fails();
        for (String kept : new String[] {"/var/lib/extensions", "/opt", "/usr/local"}) {
            assertThatCommand(node.run("cat " + kept + "/harness-marker")).succeeds().printsLine(token);
        }
    }
}
