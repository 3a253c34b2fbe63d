package dev.sysextharness.extension;

import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The registry as a {@code registry:2}-style container through Testcontainers: host network (the engine has no
 * bridge), listening on 127.0.0.1 only ({@code REGISTRY_HTTP_ADDR}), storage inside the container. The image is
 * configurable; the default is built locally ({@link RegistryImage}). Closing removes the container.
 */
public final class ContainerRegistry implements Registry {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final GenericContainer<?> container;
    private final int port;

    private ContainerRegistry(GenericContainer<?> container, int port) {
        this.container = container;
        this.port = port;
    }

    /** Starts {@code image} on a free 127.0.0.1 port of {@code engine}. */
    public static ContainerRegistry start(DockerEngine engine, String image, Path workDir) {
        return start(engine, image, workDir, 0);
    }

    /** Starts {@code image} on 127.0.0.1:{@code port} (0: a free one) of {@code engine}. */
    public static ContainerRegistry start(DockerEngine engine, String image, Path workDir, int port) {
        DockerImages images = DockerImages.of(engine);
        RegistryImage.ensure(images, image, workDir);
        port = port == 0 ? FreePorts.next() : port;
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(DockerImages.NEVER_PULL)
                .withNetworkMode("host")
                .withEnv("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port)
                .withLabel("dev.sysextharness", "registry")
                // registry:2 and the local stand-in both have /bin/registry; its entrypoint script is not needed
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/bin/registry"))
                .withCommand("serve", "/etc/docker/registry/config.yml");
        try {
            c.start();
        } catch (RuntimeException e) {
            c.close();
            throw new HarnessException("cannot start registry container " + image + " on " + engine + ": " + e.getMessage(), e);
        }
        ContainerRegistry registry = new ContainerRegistry(c, port);
        try {
            DistributionRegistry.awaitV2(registry, START_DEADLINE);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            String logs = c.getLogs().strip();
            registry.close();
            throw new HarnessException("registry container " + image + " did not answer on 127.0.0.1:" + port + " within "
                    + START_DEADLINE.toSeconds() + " s" + (logs.isEmpty() ? "" : ": " + logs.lines().reduce((a, b) -> b).orElse("")));
        }
        return registry;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isAlive() {
        return container.isRunning();
    }

    public String containerId() {
        return container.getContainerId();
    }

    @Override
    public void close() {
        container.stop();
    }
}
