package dev.sysextharness.cli;

import picocli.CommandLine.Option;

/** The loopback registry of commands that run scenarios. */
final class RegistryOption {
    @Option(names = "--registry", defaultValue = "process", paramLabel = "process|container",
            description = "The loopback registry: Debian's docker-registry as a child process (default) or a registry:2"
                    + " container through Testcontainers.")
    String registry;
}
