package dev.sysextharness.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * The protocol of a shell kept open to run one command after another, whatever carries it (an SSH channel, a
 * {@code docker exec} stream): each command runs in a subshell of its own with stdin from /dev/null, followed by a
 * marker unique to it, on stdout with the exit status and on stderr alone. What came before the markers is the
 * command's output, byte for byte. The transport writes what the shell prints into {@link #stdout()} and
 * {@link #stderr()} and calls {@link #ended()} when the shell is gone.
 */
public final class MarkedShell {
    private final Object lock = new Object();
    private final OutputStream stdin;
    private final Capture out = new Capture();
    private final Capture err = new Capture();
    private boolean ended;

    /** @param stdin where the shell reads its commands from */
    public MarkedShell(OutputStream stdin) {
        this.stdin = stdin;
    }

    public OutputStream stdout() {
        return out;
    }

    public OutputStream stderr() {
        return err;
    }

    /** The transport saw the shell end. */
    public void ended() {
        synchronized (lock) {
            ended = true;
            lock.notifyAll();
        }
    }

    public boolean hasEnded() {
        synchronized (lock) {
            return ended;
        }
    }

    /**
     * Runs {@code command} and returns it as {@code recordedAs}; a timeout, or a shell that ends before the command
     * does, yields exit code -1 with the reason in stderr, after which the shell is out of step and must be closed.
     */
    public CommandResult exec(String command, String recordedAs, Duration timeout) throws IOException {
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
                if (ended || left <= 0) {
                    String why = ended ? "[harness] the guest shell ended without an exit status\n"
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

    /** One of the shell's output streams, collected under the shell's lock, waking the command's waiter. */
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
            return MarkedShell.indexOf(bytes.toByteArray(), needle);
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

    /** Where {@code needle} first starts in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle) {
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
}
