package dev.sysextharness.container;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The Docker engine the harness's container parts talk to: the one {@code DOCKER_HOST} (or
 * {@code /var/run/docker.sock}) names when it answers; otherwise, as root with {@code dockerd} installed, a private
 * one the harness owns — its own socket, data root and exec root under the cache, no bridge, no iptables, no TCP
 * listener — started in its own PID namespace so that containerd and every container end with it, even when the
 * JVM is killed. One engine per JVM ({@link #shared}); a private one lives until the JVM exits.
 */
public final class DockerEngine {
    static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final URI DEFAULT_SOCKET = URI.create("unix:///var/run/docker.sock");
    private static DockerEngine shared;
    private static String unavailable;

    private final URI host;
    private final String origin;
    private final Process process;

    private DockerEngine(URI host, String origin, Process process) {
        this.host = host;
        this.origin = origin;
        this.process = process;
    }

    /**
     * The engine of this JVM, found or started on first use. Throws {@link Unavailable} with one line naming
     * the command that would give one when there is none.
     */
    public static synchronized DockerEngine shared(Path cacheRoot) {
        if (shared != null && shared.answers()) {
            return shared;
        }
        if (unavailable != null) {
            throw new Unavailable(unavailable);
        }
        try {
            shared = find(cacheRoot.resolve("docker"));
            return shared;
        } catch (Unavailable e) {
            unavailable = e.getMessage();
            throw e;
        }
    }

    /**
     * The PID of the private engine this JVM started (its {@code unshare} wrapper, with dockerd and containerd below),
     * which lives as long as the JVM by design; -1 when none was started (or the host's engine answered).
     */
    public static synchronized long sharedPrivatePid() {
        return shared == null ? -1 : shared.pid();
    }

    /** The engine of this JVM if one was found or started, for the Testcontainers strategy; null otherwise. */
    static synchronized DockerEngine current() {
        return shared;
    }

    private static DockerEngine find(Path dir) {
        String env = System.getenv("DOCKER_HOST");
        if (env != null && !env.isBlank()) {
            URI uri = URI.create(env.strip());
            if (answers(uri)) {
                return new DockerEngine(uri, "DOCKER_HOST", null);
            }
            throw new Unavailable("no Docker engine: DOCKER_HOST=" + env + " does not answer; start that engine or unset DOCKER_HOST");
        }
        if (answers(DEFAULT_SOCKET)) {
            return new DockerEngine(DEFAULT_SOCKET, "/var/run/docker.sock", null);
        }
        if (!HostTools.onPath("dockerd")) {
            throw new Unavailable("no Docker engine: nothing answers on /var/run/docker.sock and dockerd is not installed;"
                    + " install it as root with: apt-get install -y docker.io");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new Unavailable("no Docker engine: nothing answers on /var/run/docker.sock and a private dockerd needs root;"
                    + " start one with: sudo dockerd --bridge=none --iptables=false --ip6tables=false");
        }
        return startPrivate(dir);
    }

    private static DockerEngine startPrivate(Path dir) {
        Path run = dir.resolve("run");
        Path socket = run.resolve("docker.sock");
        try {
            Files.createDirectories(dir.resolve("data"));
            lock(dir.resolve("lock"));
            // The exec root is runtime state only. Left by a killed engine, its pidfiles name PIDs of a namespace that
            // is gone, which in the new one are other processes: dockerd would wait forever for a containerd it
            // thinks is running.
            dev.sysextharness.host.Trees.delete(run);
            Files.createDirectories(run);
        } catch (IOException e) {
            throw new Unavailable("no Docker engine: cannot prepare " + dir + ": " + e.getMessage());
        }
        List<String> command = new ArrayList<>(List.of("dockerd",
                "--host", "unix://" + socket,
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", run.toString(),
                "--pidfile", run.resolve("docker.pid").toString(),
                "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dockerd.log").toFile());
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        Process p = OwnedProcesses.startDaemonTree(builder);
        URI host = URI.create("unix://" + socket);
        DockerEngine engine = new DockerEngine(host, "private dockerd (" + dir + ")", p);
        try {
            Awaitility.await("private dockerd on " + socket).atMost(START_DEADLINE)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                    .failFast("dockerd exited", () -> !p.isAlive())
                    .until(engine::answers);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            OwnedProcesses.end(p, 3000);
            throw new Unavailable("no Docker engine: the private dockerd did not answer on " + socket + " within "
                    + START_DEADLINE.toSeconds() + " s: " + lastLine(dir.resolve("dockerd.log")));
        }
        return engine;
    }

    /** One private engine per data root: a second harness on the same cache must not start another on it. */
    private static void lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new Unavailable("no Docker engine: another sysext-harness owns the private dockerd of " + file.getParent()
                    + "; wait for it, or share one engine with DOCKER_HOST");
        }
        // held until the JVM exits, like the engine
    }

    /** The engine's address, e.g. {@code unix:///root/.cache/sysext-harness/docker/run/docker.sock}. */
    public URI host() {
        return host;
    }

    /** Where it came from: DOCKER_HOST, /var/run/docker.sock or the private dockerd. */
    public String origin() {
        return origin;
    }

    /** Whether the harness started (and owns) this engine. */
    public boolean isPrivate() {
        return process != null;
    }

    /** The PID of the private engine's outermost process; -1 for an engine the harness did not start. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean answers() {
        return (process == null || process.isAlive()) && answers(host);
    }

    /** Whether {@code GET /_ping} answers 200 on a unix socket or a tcp address. */
    static boolean answers(URI host) {
        try {
            if ("unix".equals(host.getScheme())) {
                Path socket = Path.of(host.getPath());
                if (!Files.exists(socket)) {
                    return false;
                }
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return ping(Channels.newInputStream(ch), Channels.newOutputStream(ch));
                }
            }
            if ("tcp".equals(host.getScheme())) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host.getHost(), host.getPort()), 2000);
                    s.setSoTimeout(2000);
                    return ping(s.getInputStream(), s.getOutputStream());
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean ping(InputStream in, OutputStream out) throws IOException {
        out.write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] head = in.readNBytes(12);
        String status = new String(head, StandardCharsets.US_ASCII);
        return status.startsWith("HTTP/1.") && status.endsWith(" 200");
    }

    private static String lastLine(Path log) {
        try {
            return Files.readString(log).strip().lines().reduce((a, b) -> b).orElse("(empty log)") + " (log: " + log + ")";
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    @Override
    public String toString() {
        return host + " (" + origin + ")";
    }

    /** No Docker engine can be had; the message is one line naming the command that would give one. */
    public static final class Unavailable extends HarnessException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
