package dev.sysextharness.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;

/**
 * A shell kept open on one SSH channel that runs each command in a subshell of its own, with stdin from /dev/null.
 * Under TCG a fresh exec channel costs about 0.15 s and a {@code sudo} about 0.3 s of emulated CPU per command; a
 * shell opened once, for the login user or through {@code sudo -n sh} for root, pays that once per node.
 *
 * <p>Each command is followed by a marker unique to it, on stdout with the exit status and on stderr alone: what
 * came before the markers is the command's output, byte for byte. A command that outlives its timeout leaves the
 * shell unusable; the shell is then closed and its owner opens another.
 */
final class ShellChannel implements AutoCloseable {
    private final Object lock = new Object();
    private final ChannelExec channel;
    private final Capture out = new Capture();
    private final Capture err = new Capture();
    private OpenFuture opening;
    private OutputStream stdin;
    private boolean closed;

    private ShellChannel(ChannelExec channel) {
        this.channel = channel;
    }

    /** Opens a channel running {@code launch}, which must end in a shell reading commands from stdin. */
    static ShellChannel open(ClientSession session, String launch, Duration timeout) throws IOException {
        ShellChannel shell = start(session, launch);
        shell.awaitOpen(timeout);
        return shell;
    }

    /** Asks for the channel and returns at once; {@link #awaitOpen} completes it. */
    static ShellChannel start(ClientSession session, String launch) throws IOException {
        ChannelExec ch = session.createExecChannel(launch);
        ShellChannel shell = new ShellChannel(ch);
        ch.setOut(shell.out);
        ch.setErr(shell.err);
        ch.addChannelListener(new ChannelListener() {
            @Override
            public void channelClosed(Channel channel, Throwable reason) {
                synchronized (shell.lock) {
                    shell.closed = true;
                    shell.lock.notifyAll();
                }
            }
        });
        shell.opening = ch.open();
        return shell;
    }

    void awaitOpen(Duration timeout) throws IOException {
        try {
            opening.verify(timeout);
        } catch (IOException | RuntimeException e) {
            channel.close(true);
            throw e;
        }
        stdin = channel.getInvertedIn();
    }

    boolean isOpen() {
        synchronized (lock) {
            return !closed && channel.isOpen();
        }
    }

    /**
     * Runs {@code command} and returns it as {@code recordedAs}; a timeout, or a shell that ends before the command
     * does (a reboot, sshd gone, sudo refused), yields exit code -1 with the reason in stderr.
     */
    CommandResult exec(String command, String recordedAs, Duration timeout) throws IOException {
        Instant start = Instant.now();
        String marker = "__sysext_harness_" + UUID.randomUUID().toString().replace("-", "");
        synchronized (lock) {
            out.reset();
            err.reset();
        }
        String line = "( eval " + Node.shellQuote(command) + " ) </dev/null; printf '" + marker + " %d\\n' $?; printf '"
                + marker + "\\n' >&2\n";
        stdin.write(line.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        byte[] outMarker = (marker + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] errMarker = (marker + "\n").getBytes(StandardCharsets.US_ASCII);
        Instant deadline = start.plus(timeout);
        synchronized (lock) {
            while (true) {
                int o = out.indexOfLine(outMarker);
                int e = err.indexOf(errMarker);
                if (o >= 0 && e >= 0) {
                    int exit = Integer.parseInt(out.text(o + outMarker.length, out.size()).strip());
                    return new CommandResult(recordedAs, exit, out.text(0, o), err.text(0, e), Duration.between(start, Instant.now()));
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (closed || left <= 0) {
                    String why = closed ? "[harness] the guest shell ended without an exit status\n"
                            : "[harness] no exit within " + timeout.toSeconds() + " s\n";
                    return new CommandResult(recordedAs, -1, visible(out, outMarker), visible(err, errMarker) + why,
                            Duration.between(start, Instant.now()));
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for '" + command + "'", ie);
                }
            }
        }
    }

    private static String visible(Capture c, byte[] marker) {
        int at = c.indexOf(marker);
        return c.text(0, at >= 0 ? at : c.size());
    }

    @Override
    public void close() {
        channel.close(true);
    }

    /** One of the channel's output streams, collected under the shell's lock, waking the command's waiter. */
    private final class Capture extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                bytes.write(b, off, len);
                lock.notifyAll();
            }
        }

        void reset() {
            bytes.reset();
        }

        int size() {
            return bytes.size();
        }

        String text(int from, int to) {
            return new String(Arrays.copyOfRange(bytes.toByteArray(), from, to), StandardCharsets.UTF_8);
        }

        int indexOf(byte[] needle) {
            byte[] hay = bytes.toByteArray();
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        /** Where {@code needle} starts, once the line it starts is complete. */
        int indexOfLine(byte[] needle) {
            int at = indexOf(needle);
            if (at < 0) {
                return -1;
            }
            byte[] hay = bytes.toByteArray();
            for (int i = at + needle.length; i < hay.length; i++) {
                if (hay[i] == '\n') {
                    return at;
                }
            }
            return -1;
        }
    }
}
