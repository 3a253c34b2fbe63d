package dev.sysextharness.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MarkedShell} on two ports of the guest channel: commands in and stdout out on one, stderr on the other.
 * The guest's shell is already running, as root or as the login user, when the harness attaches: no login, no fork
 * of sshd, no sudo — the code a restored QEMU would otherwise translate afresh for every cell.
 *
 * <p>A shell that has just started (after a boot) announces itself with {@link #BANNER} on its stdout before it
 * reads anything; a shell found running in a restored state has announced itself before the state was saved.
 */
final class SerialShell implements AutoCloseable {
    /** The line a channel shell prints once, as it starts (images/reference/files/sysext-harness-shell@.service). */
    static final String BANNER = "sysext-harness shell ready";

    private final SocketChannel io;
    private final SocketChannel err;
    private final MarkedShell shell;
    private final CountDownLatch announced = new CountDownLatch(1);

    private SerialShell(SocketChannel io, SocketChannel err, boolean expectBanner) {
        this.io = io;
        this.err = err;
        this.shell = new MarkedShell(output(io));
        if (!expectBanner) {
            announced.countDown();
        }
        pump("stdout", io, expectBanner ? new BannerFilter(shell.stdout()) : shell.stdout());
        pump("stderr", err, shell.stderr());
    }

    /**
     * Attaches to the shell behind {@code io} and {@code err}; with {@code expectBanner} (a shell that starts after
     * this attach) its announcement is awaited by {@link #awaitAnnounced} and kept out of the first command's output.
     */
    static SerialShell attach(SocketChannel io, SocketChannel err, boolean expectBanner) {
        return new SerialShell(io, err, expectBanner);
    }

    /** As above, on the channel's {@code shell} port ("root" or "user") and its stderr twin. */
    static SerialShell attach(dev.sysextharness.vm.GuestChannel channel, String shell, boolean expectBanner) {
        return attach(channel.port(shell), channel.port(shell + "-err"), expectBanner);
    }

    /** Whether the shell announced itself within {@code timeout} (at once for a shell found running). */
    boolean awaitAnnounced(Duration timeout) throws InterruptedException {
        return announced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isOpen() {
        return !shell.hasEnded() && io.isOpen() && err.isOpen();
    }

    CommandResult exec(String command, String recordedAs, Duration timeout) throws IOException {
        return shell.exec(command, recordedAs, timeout);
    }

    /** Stops reading; the sockets stay with the VM's channel, which closes them when QEMU ends. */
    @Override
    public void close() {
        shell.ended();
    }

    /**
     * Copies what arrives on {@code from} into {@code to} until the socket ends. Reads and writes go to the channel
     * itself: streams from {@code java.nio.channels.Channels} would hold the socket's blocking lock while a read
     * waits, and no command could be written meanwhile (JDK 17).
     */
    private void pump(String stream, SocketChannel from, OutputStream to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(8192);
            try {
                while (from.read(buf.clear()) >= 0) {
                    if (!shell.hasEnded()) { // a shell given up keeps nothing of what its guest side still prints
                        to.write(buf.array(), 0, buf.position());
                    }
                }
            } catch (IOException e) {
                // the socket closed under us: the VM ended
            }
            shell.ended();
        }, "guest-channel-" + stream);
        t.setDaemon(true);
        t.start();
    }

    /** Writes straight to the channel (see {@link #pump}). */
    static OutputStream output(SocketChannel to) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
            }
        };
    }

    /** Drops everything up to and including the banner line, then passes bytes through. */
    private final class BannerFilter extends OutputStream {
        private final OutputStream next;
        private final ByteArrayOutputStream before = new ByteArrayOutputStream();
        private boolean passing;

        BannerFilter(OutputStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (passing) {
                next.write(b, off, len);
                return;
            }
            before.write(b, off, len);
            byte[] seen = before.toByteArray();
            byte[] line = (BANNER + "\n").getBytes(StandardCharsets.US_ASCII);
            int at = MarkedShell.indexOf(seen, line);
            if (at >= 0) {
                passing = true;
                announced.countDown();
                next.write(seen, at + line.length, seen.length - at - line.length);
            }
        }
    }
}
