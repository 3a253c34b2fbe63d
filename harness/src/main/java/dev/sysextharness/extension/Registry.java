package dev.sysextharness.extension;

/**
 * A CNCF distribution registry on 127.0.0.1 that extension images are pushed to and nodes pull from: a child
 * process ({@link DistributionRegistry}, the default) or a container ({@link ContainerRegistry}).
 */
public interface Registry extends AutoCloseable {
    int port();

    /** host:port as the host pushes to it. */
    default String hostAddress() {
        return "127.0.0.1:" + port();
    }

    default String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    boolean isAlive();

    @Override
    void close();
}
