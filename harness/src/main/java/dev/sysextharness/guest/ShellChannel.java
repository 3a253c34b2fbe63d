package dev.sysextharness.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;

/**
 * A {@link MarkedShell} on one SSH channel. Under TCG a fresh exec channel costs about 0.15 s and a {@code sudo}
 * about 0.3 s of emulated CPU per command; a shell opened once, for the login user or through {@code sudo -n sh}
 * for root, pays that once per node.
 */
final class ShellChannel implements AutoCloseable {
    private final ChannelExec channel;
    private final OpenFuture opening;
    private final ForwardingOutput stdin = new ForwardingOutput();
    private final MarkedShell shell = new MarkedShell(stdin);

    private ShellChannel(ChannelExec channel) throws IOException {
        this.channel = channel;
        channel.setOut(shell.stdout());
        channel.setErr(shell.stderr());
        channel.addChannelListener(new ChannelListener() {
            @Override
            public void channelClosed(Channel c, Throwable reason) {
                shell.ended();
            }
        });
        this.opening = channel.open();
    }

    /** Opens a channel running {@code launch}, which must end in a shell reading commands from stdin. */
    static ShellChannel open(ClientSession session, String launch, Duration timeout) throws IOException {
        ShellChannel shell = start(session, launch);
        shell.awaitOpen(timeout);
        return shell;
    }

    /** Asks for the channel and returns at once; {@link #awaitOpen} completes it. */
    static ShellChannel start(ClientSession session, String launch) throws IOException {
        return new ShellChannel(session.createExecChannel(launch));
    }

    void awaitOpen(Duration timeout) throws IOException {
        try {
            opening.verify(timeout);
        } catch (IOException | RuntimeException e) {
            channel.close(true);
            throw e;
        }
        stdin.target = channel.getInvertedIn();
    }

    boolean isOpen() {
        return !shell.hasEnded() && channel.isOpen();
    }

    CommandResult exec(String command, String recordedAs, Duration timeout) throws IOException {
        return shell.exec(command, recordedAs, timeout);
    }

    @Override
    public void close() {
        channel.close(true);
    }

    /** The channel's stdin, known only once the channel is open. */
    private static final class ForwardingOutput extends OutputStream {
        private OutputStream target;

        @Override
        public void write(int b) throws IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }
    }
}
