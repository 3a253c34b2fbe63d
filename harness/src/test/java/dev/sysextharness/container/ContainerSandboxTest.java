package dev.sysextharness.container;

import dev.sysextharness.guest.ContainerGuest;
import dev.sysextharness.image.FlavorContainerImage;
import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.LoopbackListener;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container lane's guest is a sandbox too, proven from inside: no network at all (a listener on the host's
 * 127.0.0.1 is out of reach, the only interface is lo), no host file system bound in but the per-container files the
 * engine makes (hosts, hostname, resolv.conf), and the host's disk out of reach even with CAP_SYS_ADMIN.
 */
@Tag("vm")
class ContainerSandboxTest {
    @TempDir
    Path tmp;

    @Test
    void noNetworkNoHostPathsNoHostDisk() throws IOException {
        RunConfiguration config = RunConfiguration.fromSystemProperties();
        Workspace ws = config.workspace();
        Flavor flavor = ws.flavors().load(config.flavors().get(0));
        DockerImages images = DockerImages.of(DockerEngine.shared(ws.cache().root()));
        Progress progress = Progress.to(System.err);
        String image = FlavorContainerImage.ensure(images, flavor, () -> new FlavorImages(ws).referenceImage(flavor, progress), progress);
        Object hostRoot = Files.getAttribute(Path.of("/"), "unix:dev");
        long dev = ((Number) hostRoot).longValue();
        long major = (dev >> 8) & 0xfff;
        long minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);

        try (LoopbackListener host = new LoopbackListener("host-listener");
             ContainerGuest guest = ContainerGuest.start(images, flavor, image, tmp.resolve("evidence"))) {
            assertThatCommand(guest.run("timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + host.port() + " && head -n1 <&3'"))
                    .as("from the container to the host's 127.0.0.1:%d", host.port()).fails();
            assertThat(host.connections()).as("connections the host's listener saw").isZero();
            assertThatCommand(guest.run("ls /sys/class/net")).succeeds()
                    .satisfies(r -> assertThat(r.stdout().strip()).as("network interfaces").isEqualTo("lo"));

            // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE; a bind from a host disk shows its path as ROOT
            String hostDevice = major + ":" + minor;
            assertThatCommand(guest.run("cat /proc/self/mountinfo")).succeeds().satisfies(r -> assertThat(r.stdout().lines()
                    .filter(l -> l.split(" ")[2].equals(hostDevice)).map(l -> l.split(" ")[3] + " on " + l.split(" ")[4]))
                    .as("mounts from the host's root device %s", hostDevice)
                    .allSatisfy(m -> assertThat(m).contains("/containers/" + guest.containerId() + "/")));

            assertThatThrownBy(() -> guest.run("sleep 30", java.time.Duration.ofSeconds(2)))
                    .as("a command that does not complete is an error in this lane too")
                    .isInstanceOf(dev.sysextharness.host.HarnessException.class)
                    .hasMessageStartingWith(flavor.name() + ": 'sleep 30' did not complete: ");
            assertThatCommand(guest.sudo("mknod /tmp/host-disk b " + major + " " + minor + " && head -c 512 /tmp/host-disk > /dev/null"))
                    .as("reading the host's root device %s from inside", hostDevice).fails().saysInStderr("cannot open '/tmp/host-disk'");
        }
    }
}
