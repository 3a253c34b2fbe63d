package dev.sysextharness.guest;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.MarkedShell;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link MarkedShell} over one {@code docker exec -i} of a container: every {@code docker exec} costs the engine a
 * runc exec, 0.1-0.5 s on 2 busy cores, and a scenario runs several commands; a shell per identity pays it once.
 */
final class ContainerShell implements AutoCloseable {
    private final Pipe toShell = new Pipe();
    private final MarkedShell shell = new MarkedShell(toShell.writer());
    private final ResultCallback.Adapter<Frame> streams = new ResultCallback.Adapter<>() {
        @Override
        public void onNext(Frame frame) {
            try {
                switch (frame.getStreamType()) {
                    case STDOUT, RAW -> shell.stdout().write(frame.getPayload());
                    case STDERR -> shell.stderr().write(frame.getPayload());
                    default -> { }
                }
            } catch (IOException e) {
                shell.ended();
            }
        }

        @Override
        public void onError(Throwable t) {
            shell.ended();
        }

        @Override
        public void onComplete() {
            shell.ended();
        }
    };

    private ContainerShell() {
    }

    /** Starts {@code shellPath} as {@code user} in the container, reading commands from an attached stdin. */
    static ContainerShell open(DockerClient docker, String containerId, String user, String shellPath) {
        String execId = docker.execCreateCmd(containerId).withUser(user).withCmd(shellPath)
                .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true).exec().getId();
        ContainerShell s = new ContainerShell();
        docker.execStartCmd(execId).withStdIn(s.toShell.reader()).exec(s.streams);
        return s;
    }

    boolean isOpen() {
        return !shell.hasEnded();
    }

    CommandResult exec(String command, String recordedAs, Duration timeout) throws IOException {
        return shell.exec(command, recordedAs, timeout);
    }

    @Override
    public void close() {
        toShell.close();
        try {
            streams.close();
        } catch (IOException e) {
            // the exec's connection is gone either way; the container's removal ends the shell
        }
        shell.ended();
    }

    /** Bytes handed from the harness to the engine's stdin stream: a reader that blocks until written or closed. */
    private static final class Pipe {
        private static final byte[] EOF = new byte[0];
        private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

        OutputStream writer() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (len > 0) {
                        chunks.add(java.util.Arrays.copyOfRange(b, off, off + len));
                    }
                }
            };
        }

        InputStream reader() {
            return new InputStream() {
                private byte[] current = new byte[0];
                private int pos;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    while (pos >= current.length) {
                        if (current == EOF) {
                            return -1;
                        }
                        try {
                            current = chunks.take();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                        pos = 0;
                        if (current == EOF) {
                            return -1;
                        }
                    }
                    int n = Math.min(len, current.length - pos);
                    System.arraycopy(current, pos, b, off, n);
                    pos += n;
                    return n;
                }
            };
        }

        void close() {
            chunks.add(EOF);
        }
    }
}
