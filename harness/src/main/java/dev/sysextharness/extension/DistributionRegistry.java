package dev.sysextharness.extension;

import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The CNCF distribution registry (Debian's docker-registry) as an owned child process, listening on 127.0.0.1 only,
 * with its own storage directory. Ready when {@code GET /v2/} answers 200.
 */
public final class DistributionRegistry implements Registry {
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path dir;

    private DistributionRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Starts on a free port. */
    public static DistributionRegistry start(Path dir) {
        return start(dir, FreePorts.next());
    }

    /** Starts on {@code port} (0: a free one); a port already in use is a one-line error. */
    public static DistributionRegistry start(Path dir, int port) {
        if (port == 0) {
            return start(dir);
        }
        String problem = FreePorts.problemWith(port);
        if (problem != null) {
            throw new HarnessException("registry port 127.0.0.1:" + port + " is in use (" + problem + "); choose another port");
        }
        try {
            Files.createDirectories(dir.resolve("storage"));
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(dir.resolve("storage").toAbsolutePath(), port));
            Process p = OwnedProcesses.start(new ProcessBuilder(List.of("docker-registry", "serve", config.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()));
            DistributionRegistry registry = new DistributionRegistry(p, port, dir);
            registry.awaitReady();
            return registry;
        } catch (IOException e) {
            throw new HarnessException("cannot prepare registry directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        try {
            awaitV2(this, START_DEADLINE);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            String log = "";
            try {
                log = Files.readString(dir.resolve("registry.log")).strip();
            } catch (IOException ignored) {
                // no log to show
            }
            close();
            throw new HarnessException("registry did not answer on 127.0.0.1:" + port + " within " + START_DEADLINE.toSeconds()
                    + " s" + (log.isEmpty() ? "" : ": " + log.lines().reduce((a, b) -> b).orElse("")));
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code GET /v2/} answers 200, failing fast when the registry ends. */
    static void awaitV2(Registry registry, Duration deadline) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Awaitility.await("registry on " + registry.hostAddress()).atMost(deadline)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                .failFast("registry exited", () -> !registry.isAlive())
                .ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @Override
    public void close() {
        OwnedProcesses.end(process, 3000);
    }
}
