package dev.sysextharness.scenario;

import dev.sysextharness.extension.DdiBuilder;
import dev.sysextharness.extension.SigningKey;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.ContainerLaneImages;
import dev.sysextharness.sysext.DdiSource;
import java.nio.file.Path;

/**
 * The run's DDIs and signing keys: DDIs made by systemd-repart in a container of the tool flavor (debian-13: the first
 * reference flavor with systemd-repart's --make-ddi), on the container lane's engine, whatever flavors the run judges;
 * keys made with openssl; both cached. Nothing is made until a scenario asks.
 */
final class SessionDdis implements DdiSource {
    private final Workspace ws;
    private final ContainerLaneImages containers;
    private final Progress progress;
    private DdiBuilder builder;

    SessionDdis(Workspace ws, ContainerLaneImages containers, Progress progress) {
        this.ws = ws;
        this.containers = containers;
        this.progress = progress;
    }

    private synchronized DdiBuilder builder() {
        if (builder == null) {
            builder = DdiBuilder.inContainers(ws.cache(), ws.flavors().load(DdiBuilder.TOOL_FLAVOR), containers);
        }
        return builder;
    }

    @Override
    public Path make(Path tree, String fileName, DdiBuilder.Kind kind, SigningKey key) {
        return builder().build(tree, fileName, kind, key, progress);
    }

    @Override
    public SigningKey key(String name) {
        return SigningKey.named(ws.cache(), name, progress);
    }
}
