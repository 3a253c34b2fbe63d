package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host side of the guest channel against a real shell on this host, standing where the guest's would: its
 * stdin and stdout on one unix socket, its stderr on another, as QEMU hands a virtio-serial port's bytes to a
 * socket. The guest side of the real thing is booted in the VM tests.
 */
class SerialShellTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private Process sh;

    @AfterEach
    void end() throws Exception {
        if (sh != null) {
            sh.destroyForcibly().waitFor();
        }
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A connected pair of unix sockets: [the harness's end, the "guest's" end]. */
    private SocketChannel[] pair(String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        open.add(server);
        SocketChannel host = SocketChannel.open(StandardProtocolFamily.UNIX);
        host.connect(UnixDomainSocketAddress.of(dir.resolve(name)));
        SocketChannel guest = server.accept();
        open.add(host);
        open.add(guest);
        return new SocketChannel[] {host, guest};
    }

    private static void copy(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            try (from; to) {
                byte[] buf = new byte[8192];
                for (int n; (n = from.read(buf)) >= 0; ) {
                    to.write(buf, 0, n);
                    to.flush(); // a process's stdin is buffered
                }
            } catch (IOException ignored) {
                // one side went away
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** Writes to the guest end, and closes it when the shell's stream ends: what QEMU's end does when the VM goes. */
    private static OutputStream closing(SocketChannel to) {
        OutputStream out = SerialShell.output(to);
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                to.close();
            }
        };
    }

    /** The guest end's bytes as a stream, read straight from the channel (as SerialShell does on the host end). */
    private static InputStream input(SocketChannel from) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return from.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** A shell whose streams are the guest ends of the two pairs; with {@code banner}, it announces itself first. */
    private SerialShell shellOnTheOtherSide(boolean banner) throws IOException {
        SocketChannel[] io = pair("io.sock");
        SocketChannel[] err = pair("err.sock");
        String script = (banner ? "echo '" + SerialShell.BANNER + "'; " : "") + "exec sh";
        sh = new ProcessBuilder("sh", "-c", script).start();
        copy(input(io[1]), sh.getOutputStream());
        copy(sh.getInputStream(), closing(io[1]));
        copy(sh.getErrorStream(), closing(err[1]));
        return SerialShell.attach(io[0], err[0], banner);
    }

    @Test
    void commandsRunOneAfterAnotherWithTheirOwnStreamsAndExitCodes() throws Exception {
        SerialShell shell = shellOnTheOtherSide(true);
        assertThat(shell.awaitAnnounced(Duration.ofSeconds(10))).isTrue();

        CommandResult first = shell.exec("echo out; echo err >&2; exit 3", "first", Duration.ofSeconds(10));
        assertThat(first.exitCode()).isEqualTo(3);
        assertThat(first.stdout()).as("the banner stays out of the first command's output").isEqualTo("out\n");
        assertThat(first.stderr()).isEqualTo("err\n");

        CommandResult second = shell.exec("printf 'a\\nb'; cd /; pwd", "second", Duration.ofSeconds(10));
        assertThat(second.exitCode()).isZero();
        assertThat(second.stdout()).isEqualTo("a\nb/\n");
        assertThat(shell.isOpen()).isTrue();
    }

    @Test
    void aShellFoundRunningIsUsedAtOnce() throws Exception {
        SerialShell shell = shellOnTheOtherSide(false);
        assertThat(shell.awaitAnnounced(Duration.ZERO)).as("nothing to wait for: it announced itself before the save").isTrue();
        assertThat(shell.exec("echo here", "here", Duration.ofSeconds(10)).stdout()).isEqualTo("here\n");
    }

    @Test
    void aShellThatNeverAnnouncesItselfIsNotTakenForReady() throws Exception {
        SerialShell waiting = SerialShell.attach(pair("silent-io.sock")[0], pair("silent-err.sock")[0], true);
        assertThat(waiting.awaitAnnounced(Duration.ofMillis(300))).as("nothing on the other side says the banner").isFalse();
    }

    @Test
    void theGuestSideGoingAwayEndsTheShellAndTheCommandWithoutAnExitStatus() throws Exception {
        SerialShell shell = shellOnTheOtherSide(false);
        CommandResult r = shell.exec("kill -9 $$", "kill its shell", Duration.ofSeconds(10)); // $$: the shell, not the subshell
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.stderr()).contains("[harness] the guest shell ended without an exit status");
        assertThat(shell.isOpen()).isFalse();
    }
}
