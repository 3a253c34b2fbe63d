package dev.sysextharness.cli;

import picocli.CommandLine.Option;

/** The loopback registry of commands that run scenarios. */
final class RegistryOption {
    @Option(names = "--registry", defaultValue = "process", paramLabel = "process|container",
            description = "The loopback registry: Debian's docker-registry as a child process (default) or a registry:2"
                    + " container through Testcontainers.")
    String registry;

    @Option(names = "--registry-port", paramLabel = "PORT",
            description = "The registry's port on 127.0.0.1 (default: a free one).")
    Integer registryPort;
}
