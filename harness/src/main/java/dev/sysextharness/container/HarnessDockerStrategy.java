package dev.sysextharness.container;

import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.InvalidConfigurationException;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Points Testcontainers at the harness's {@link DockerEngine} (its private dockerd has a socket no default strategy
 * looks at). Registered through META-INF/services; applicable only once the harness has an engine, and a
 * user's DOCKER_HOST still wins, as Testcontainers lets user overrides win.
 */
public final class HarnessDockerStrategy extends DockerClientProviderStrategy {

    @Override
    public String getDescription() {
        DockerEngine e = DockerEngine.current();
        return "sysext-harness Docker engine" + (e == null ? "" : " " + e);
    }

    @Override
    protected boolean isApplicable() {
        return DockerEngine.current() != null;
    }

    @Override
    protected int getPriority() {
        return 1000;
    }

    @Override
    protected boolean isPersistable() {
        return false;
    }

    @Override
    public TransportConfig getTransportConfig() throws InvalidConfigurationException {
        DockerEngine e = DockerEngine.current();
        if (e == null) {
            throw new InvalidConfigurationException("the harness has no Docker engine yet");
        }
        return TransportConfig.builder().dockerHost(e.host()).build();
    }
}
