package dev.sysextharness.guest;

import dev.sysextharness.flavor.Login;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * An authenticated SSH session to a guest on 127.0.0.1, password login as on Kairos. Host keys are accepted
 * without a known_hosts file: every reference node shares its image's keys, and restored nodes share a saved one's.
 */
public final class SshSession implements AutoCloseable {
    private static final SshClient CLIENT = startClient();

    private final ClientSession session;
    /** What an exec channel would run a command with: the login user's shell. */
    private static final String USER_SHELL = "exec \"${SHELL:-/bin/sh}\"";
    /** What {@code sudo sh -c} would; sudo's own refusal (no NOPASSWD rule, requiretty) ends the shell with a message. */
    private static final String ROOT_SHELL = "exec sudo -n /bin/sh";
    private ShellChannel userShell;
    private ShellChannel rootShell;

    private SshSession(ClientSession session) {
        this.session = session;
    }

    private static SshClient startClient() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.start();
        return client;
    }

    /** Loads and starts the client before a VM competes with it for CPU (class loading, JIT). */
    public static void warmUp() {
        CLIENT.isStarted();
    }

    public static SshSession open(int port, Login login, Duration timeout) throws IOException {
        ClientSession s = CLIENT.connect(login.user(), "127.0.0.1", port).verify(timeout).getSession();
        try {
            s.addPasswordIdentity(login.password());
            s.auth().verify(timeout);
            return new SshSession(s);
        } catch (IOException | RuntimeException e) {
            s.close(true);
            throw e;
        }
    }

    public boolean isOpen() {
        return session.isOpen() && session.isAuthenticated();
    }

    /** Runs {@code command} through the login user's shell; a timeout yields exit code -1 and a note in stderr. */
    public CommandResult exec(String command, Duration timeout) throws IOException {
        return exec(command, null, timeout);
    }

    /** As {@link #exec(String, Duration)}, with {@code input} (a host file, or null for none) streamed to its stdin. */
    public CommandResult exec(String command, Path input, Duration timeout) throws IOException {
        Instant start = Instant.now();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = session.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(timeout);
            if (input != null) {
                try (OutputStream stdin = ch.getInvertedIn()) { // closing it sends EOF
                    Files.copy(input, stdin);
                }
            }
            Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Duration took = Duration.between(start, Instant.now());
            String stdout = out.toString(StandardCharsets.UTF_8);
            String stderr = err.toString(StandardCharsets.UTF_8);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                return new CommandResult(command, -1, stdout,
                        stderr + "[harness] no exit within " + timeout.toSeconds() + " s\n", took);
            }
            Integer exit = ch.getExitStatus();
            return new CommandResult(command, exit == null ? -1 : exit, stdout,
                    exit == null ? stderr + "[harness] connection closed without an exit status\n" : stderr, took);
        }
    }

    /**
     * Runs {@code command} in this session's long-lived shell: the login user's shell (what an exec channel would
     * run it with) or, for root, {@code sudo -n /bin/sh} (what {@code sudo sh -c} would); opened on first use. The result carries {@code recordedAs} as its command.
     */
    public CommandResult shell(String command, boolean root, String recordedAs, Duration timeout) throws IOException {
        ShellChannel shell = root ? rootShell : userShell;
        if (shell == null || !shell.isOpen()) {
            shell = ShellChannel.open(session, root ? ROOT_SHELL : USER_SHELL, timeout);
            if (root) {
                rootShell = shell;
            } else {
                userShell = shell;
            }
        }
        CommandResult r = shell.exec(command, recordedAs, timeout);
        if (r.exitCode() == -1) {
            shell.close(); // out of step with its marker, or already ended
        }
        return r;
    }

    /**
     * Opens both shells at once, so that the guest sets them up side by side on its CPUs; a shell already open is
     * kept.
     */
    public void openShells(Duration timeout) throws IOException {
        ShellChannel user = userShell == null || !userShell.isOpen() ? ShellChannel.start(session, USER_SHELL) : null;
        ShellChannel root = rootShell == null || !rootShell.isOpen() ? ShellChannel.start(session, ROOT_SHELL) : null;
        if (user != null) {
            user.awaitOpen(timeout);
            userShell = user;
        }
        if (root != null) {
            root.awaitOpen(timeout);
            rootShell = root;
        }
    }

    @Override
    public void close() {
        session.close(true);
    }
}
