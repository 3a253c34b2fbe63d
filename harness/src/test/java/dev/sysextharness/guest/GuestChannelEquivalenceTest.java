package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.ImageCache;
import dev.sysextharness.vm.SavedStates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest channel and SSH are two ways into one node, and a scenario must not be able to tell them apart: the same
 * commands, as the login user and as root, give the same exit code, stdout and stderr over both — on a restored node
 * (whose shells were running when the state was saved) and again after a reboot (whose shells started afresh).
 */
@Tag("vm")
class GuestChannelEquivalenceTest {
    private static final Duration T = Duration.ofSeconds(60);

    /** What a scenario's commands can see of the shell they run in, and how output and exit codes travel. */
    private static final List<String> COMMANDS = List.of(
            "printf 'a\\nb'; printf 'oops' >&2; exit 3",
            "printf '%s\\n' \"it's\"\necho 'two\nlines'",
            "pwd; id -un; id -u; id -gn; id -G; umask",
            "echo \"HOME=$HOME USER=$USER LOGNAME=$LOGNAME SHELL=$SHELL MAIL=${MAIL-unset}\"; echo \"PATH=$PATH\"",
            "echo \"LANG=${LANG-unset} LC_ALL=${LC_ALL-unset} TERM=${TERM-unset}\"",
            "test -t 0 && echo 'stdin is a tty' || echo 'stdin is no tty'; test -t 1 && echo 'stdout is a tty' || echo 'stdout is no tty'",
            "cat; echo \"read $?\"",
            "cd /; X=set; export X",
            "pwd; echo ${X:-unset}",
            "ls /nonexistent-harness-path",
            "head -c 300000 /dev/zero | tr '\\0' x",
            "printf '\\303\\251\\0\\001end'",
            "systemd-sysext list");

    static DefaultFlavorImage image;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    @Test
    void theChannelAndSshGiveEveryCommandTheSameResult() throws IOException {
        SavedStates states = new SavedStates(new ImageCache(dir.resolve("cache")));
        NodeLauncher launcher = new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel()).savedStates(states);
        try (Node node = launcher.evidenceDir(dir.resolve("node")).start()) {
            assertThat(node.startedBy()).isEqualTo("restore");
            assertThat(node.ready().reachedBy()).as("a restored reference node is checked ready over its channel").isEqualTo("channel");
            compare(node, "after restore");
            sendsAFileIntact(node);

            String before = node.ready().bootId();
            BootIdProof proof = node.reboot();
            assertThat(node.ready().reachedBy()).as("after a reboot the new boot's root shell says it is ready").isEqualTo("channel");
            assertThat(proof.after()).as("the boot the channel reports").isNotEqualTo(before).isEqualTo(node.ready().bootId());
            assertThat(node.rebootTimes()).as("the reboot's time as the node keeps it for the cell's result").containsExactly(proof.took());
            try (SshSession ssh = SshSession.open(node.vm().sshPort(), node.flavor().login(), T)) {
                assertThat(ssh.exec("cat /proc/sys/kernel/random/boot_id", T).out()).as("the boot_id over SSH just after the reboot")
                        .isEqualTo(proof.after());
            }
            assertThat(Files.readString(node.transcript().file())).as("the readiness command after the reboot ran in root's shell")
                    .contains("$ sudo sh -c 'systemctl is-system-running --wait; ");
            compare(node, "after a reboot");
            assertThat(Files.readString(node.transcript().file()))
                    .as("no command fell back to SSH")
                    .doesNotContain("guest channel given up");
        }
    }

    /** A file sent over the channel's file port arrives byte for byte, as SSH reads it back. */
    private void sendsAFileIntact(Node node) throws IOException {
        byte[] bytes = new byte[700_000];
        new java.util.Random(17).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 100_000, 400_000, (byte) 0);
        Path file = dir.resolve("payload.bin");
        Files.write(file, bytes);
        node.sendFile(file, "/var/tmp/payload.bin");
        try (SshSession ssh = SshSession.open(node.vm().sshPort(), node.flavor().login(), T)) {
            CommandResult sum = ssh.shell("sha256sum /var/tmp/payload.bin; stat -c %a /var/tmp/payload.bin", false, "sum", T);
            String expected = java.util.HexFormat.of().formatHex(sha256(bytes));
            assertThat(sum.stdout()).as("the file read back over SSH").isEqualTo(expected + "  /var/tmp/payload.bin\n644\n");
        }
        assertThat(Files.readString(node.transcript().file())).as("sent over the file port").contains("org.sysext-harness.file");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void compare(Node node, String when) throws IOException {
        try (SshSession ssh = SshSession.open(node.vm().sshPort(), node.flavor().login(), T)) {
            SoftAssertions softly = new SoftAssertions();
            for (boolean root : new boolean[] {false, true}) {
                for (String command : COMMANDS) {
                    CommandResult overChannel = root ? node.sudo(command) : node.run(command, T);
                    CommandResult overSsh = ssh.shell(command, root, command, T);
                    String as = (root ? "root" : "login user") + " " + when + ": " + command;
                    softly.assertThat(overChannel.exitCode()).as("exit code, %s", as).isEqualTo(overSsh.exitCode());
                    softly.assertThat(overChannel.stdout()).as("stdout, %s", as).isEqualTo(overSsh.stdout());
                    softly.assertThat(overChannel.stderr()).as("stderr, %s", as).isEqualTo(overSsh.stderr());
                }
            }
            // the environment's names: the same, but for what only a login session or sudo adds
            for (boolean root : new boolean[] {false, true}) {
                String names = "env | cut -d= -f1 | sort";
                java.util.Set<String> overChannel = new java.util.TreeSet<>((root ? node.sudo(names) : node.run(names, T)).out().lines().toList());
                java.util.Set<String> overSsh = new java.util.TreeSet<>(ssh.shell(names, root, names, T).out().lines().toList());
                overSsh.removeIf(n -> LOGIN_SESSION_ONLY.matcher(n).matches());
                softly.assertThat(overChannel).as("environment names, %s %s (SSH's without %s)", root ? "root" : "login user", when,
                        LOGIN_SESSION_ONLY.pattern()).isEqualTo(overSsh);
            }
            softly.assertAll();
        }
    }

    /**
     * What a login session adds over SSH (sshd, pam_systemd) and sudo adds for root, which a channel shell started by
     * the service manager has no session for; nothing a scenario runs reads them.
     */
    private static final java.util.regex.Pattern LOGIN_SESSION_ONLY = java.util.regex.Pattern.compile(
            "SSH_.*|XDG_SESSION_.*|XDG_RUNTIME_DIR|DBUS_SESSION_BUS_ADDRESS|MOTD_SHOWN|SUDO_.*");
}
