package dev.sysextharness.guest;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.LoopbackListener;
import dev.sysextharness.vm.GuestForward;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certification runs an unknown author's binaries as root in the guest; the guest must be a sandbox, and that is
 * proven from inside it. A listener on the host's 127.0.0.1 is unreachable through every address QEMU's user network
 * offers (the host alias 10.0.2.2 included); the one guestfwd rule is the only way out; the guest has no shared file
 * system and no disk but its own overlay, and what it writes lands in that overlay, never in the cached base disk.
 */
@Tag("vm")
class GuestSandboxTest {
    static DefaultFlavorImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    /** A TCP connection from inside the guest, bash's /dev/tcp, reading the first line; its exit code says whether it got one. */
    private static CommandResult connect(Guest guest, String address, int port) {
        return guest.run("timeout 5 bash -c 'exec 3<>/dev/tcp/" + address + "/" + port + " && head -n1 <&3'");
    }

    @Test
    void theHostIsUnreachableExceptThroughTheOneForwardAndItsFilesAreOutOfReach() throws IOException {
        Path base = image.disk().disk();
        FileTime baseModified = Files.getLastModifiedTime(base);
        long baseSize = Files.size(base);
        String marker = "sandbox-" + UUID.randomUUID();
        try (LoopbackListener host = new LoopbackListener("host-listener");
             LoopbackListener registry = new LoopbackListener("forwarded");
             Node node = new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel())
                     .guestForward(GuestForward.registry(registry.port())).evidenceDir(tmp.resolve("node")).start()) {
            for (String address : new String[] {"10.0.2.2", "10.0.2.3", "10.0.2.15", "127.0.0.1"}) {
                assertThatCommand(connect(node, address, host.port())).as("from the guest to %s:%d", address, host.port()).fails();
            }
            assertThatCommand(connect(node, "10.0.2.2", registry.port())).as("the forward's host port, by the host alias").fails();
            assertThatCommand(connect(node, "10.0.2.2", 22)).as("the host's SSH port, by the host alias").fails();
            assertThat(host.connections()).as("connections the host's listener saw").isZero();

            assertThatCommand(connect(node, GuestForward.REGISTRY_ADDRESS, GuestForward.REGISTRY_PORT))
                    .as("the one guestfwd rule").succeeds().printsLine("forwarded");
            assertThat(registry.connections()).isEqualTo(1);

            assertThatCommand(node.run("awk '{print $3}' /proc/mounts | sort -u")).succeeds()
                    .satisfies(r -> assertThat(r.stdout().lines()).as("file system types mounted in the guest")
                            .doesNotContain("9p", "virtiofs", "nfs", "nfs4", "cifs", "fuse.sshfs"));
            assertThatCommand(node.run("ls /sys/block | grep -v '^loop'")).succeeds().printsLine("vda")
                    .satisfies(r -> assertThat(r.stdout().strip()).as("block devices").isEqualTo("vda"));
            assertThatCommand(node.sudo("printf '%s' " + marker + " > /usr/local/sandbox-marker && sync")).succeeds();
        }
        assertThat(Files.getLastModifiedTime(base)).as("the cached base disk's mtime").isEqualTo(baseModified);
        assertThat(Files.size(base)).isEqualTo(baseSize);
        assertThat(contains(tmp.resolve("node/overlay.qcow2"), marker)).as("the guest's write is in its own overlay").isTrue();
    }

    private static boolean contains(Path file, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
