package dev.sysextharness.extension;

import dev.sysextharness.container.DockerEngine;
import java.nio.file.Path;

/** The run's loopback registry, of the kind the configuration names. */
public final class Registries {
    private Registries() {
    }

    /**
     * "process": Debian's docker-registry as a child process, its storage in {@code workDir}; "container": {@code image}
     * through Testcontainers on the engine of the cache at {@code cacheRoot}. On 127.0.0.1:{@code port} (0: a free one).
     */
    public static Registry start(String kind, int port, Path workDir, Path cacheRoot, String image) {
        return switch (kind) {
            case "process" -> DistributionRegistry.start(workDir, port);
            case "container" -> ContainerRegistry.start(DockerEngine.shared(cacheRoot), image,
                    cacheRoot.resolve("docker").resolve("registry-image"), port);
            default -> throw new IllegalArgumentException("registry: expected process or container, got '" + kind + "'");
        };
    }
}
