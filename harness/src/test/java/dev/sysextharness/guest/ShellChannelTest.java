package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Login;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long-lived shells against a real SSH server on 127.0.0.1 whose commands are real /bin/sh processes: output
 * byte for byte, exit codes, isolation between commands, timeouts, and a root shell that sudo refuses.
 */
class ShellChannelTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static SshServer server;
    private static final Login LOGIN = new Login("tester", "secret");

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServer() throws IOException {
        // A sudo that refuses as a password-protected one does with -n; first on the PATH of every command. It waits a
        // moment before it exits: this test server (MINA's process shell) may close the channel as soon as the process
        // has ended, before its pump forwarded the last stderr bytes (seen once, at load 5); OpenSSH's sshd does not.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path sudo = bin.resolve("sudo");
        Files.writeString(sudo, "#!/bin/sh\necho 'sudo: a password is required' >&2\nsleep 0.5\nexit 1\n");
        Files.setPosixFilePermissions(sudo, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey")));
        server.setPasswordAuthenticator((user, password, session) -> user.equals(LOGIN.user()) && password.equals(LOGIN.password()));
        server.setCommandFactory((channel, command) -> new ProcessShellFactory("/bin/sh", "/bin/sh", "-c",
                "PATH=" + bin + ":$PATH; export PATH; cd " + dir + "; " + command) {
            @Override
            protected java.util.List<String> resolveEffectiveCommand(org.apache.sshd.server.channel.ChannelSession c, String cmd,
                    java.util.List<String> elements) {
                return elements; // exactly /bin/sh -c '…', as sshd runs an exec request
            }
        }.createShell(channel));
        server.start();
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.stop(true);
    }

    private static SshSession login() throws IOException {
        return SshSession.open(server.getPort(), LOGIN, T);
    }

    @Test
    void outputIsTheCommandsByteForByteWithItsExitCode() throws IOException {
        try (SshSession s = login()) {
            CommandResult r = s.shell("printf 'a\\nb'; printf 'oops' >&2; exit 3", false, "recorded", T);
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("a\nb");
            assertThat(r.stderr()).isEqualTo("oops");
            assertThat(r.command()).isEqualTo("recorded");
        }
    }

    @Test
    void quotesAndNewlinesReachTheShellIntact() throws IOException {
        try (SshSession s = login()) {
            CommandResult r = s.shell("printf '%s\\n' \"it's\"\necho 'two\nlines'", false, "q", T);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.stdout()).isEqualTo("it's\ntwo\nlines\n");
        }
    }

    @Test
    void eachCommandStartsFromTheSameStateAndReadsNothing() throws IOException {
        try (SshSession s = login()) {
            String home = s.shell("pwd", false, "pwd", T).out();
            assertThat(s.shell("cd /; X=set; export X", false, "cd", T).succeeded()).isTrue();
            assertThat(s.shell("pwd; echo ${X:-unset}", false, "again", T).stdout()).isEqualTo(home + "\nunset\n");
            CommandResult cat = s.shell("cat; echo \"read $?\"", false, "cat", T);
            assertThat(cat.stdout()).isEqualTo("read 0\n");
        }
    }

    @Test
    void largeOutputArrivesWhole() throws IOException {
        try (SshSession s = login()) {
            CommandResult r = s.shell("head -c 300000 /dev/zero | tr '\\0' x", false, "big", T);
            assertThat(r.stdout()).hasSize(300_000).matches("x+");
        }
    }

    @Test
    void aCommandPastItsTimeoutIsReportedAndTheNextGetsAFreshShell() throws IOException {
        try (SshSession s = login()) {
            CommandResult slow = s.shell("echo started; sleep 30", false, "slow", Duration.ofSeconds(1));
            assertThat(slow.exitCode()).isEqualTo(-1);
            assertThat(slow.stdout()).isEqualTo("started\n");
            assertThat(slow.stderr()).contains("no exit within 1 s");
            assertThat(slow.duration()).isLessThan(Duration.ofSeconds(10));
            assertThat(s.shell("echo next", false, "next", T).stdout()).isEqualTo("next\n");
        }
    }

    @Test
    void aRootShellThatSudoRefusesEndsWithItsMessage() throws IOException {
        try (SshSession s = login()) {
            CommandResult r = s.shell("id -u", true, "sudo id -u", T);
            assertThat(r.exitCode()).isEqualTo(-1);
            assertThat(r.stderr()).contains("sudo: a password is required").contains("ended without an exit status");
            assertThat(s.shell("echo still", false, "user", T).stdout()).isEqualTo("still\n");
        }
    }

    @Test
    void bothShellsOpenAtOnce() throws IOException {
        try (SshSession s = login()) {
            s.openShells(T);
            assertThat(s.shell("echo user", false, "u", T).stdout()).isEqualTo("user\n");
        }
    }

}
