package dev.sysextharness.image;

import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The container lane's resources for one run: the Docker engine (found or started on first use, or the one line that
 * says why there is none, the same every time) and each flavor's container image on it, imported once.
 */
public final class ContainerLaneImages {
    private final Path cacheRoot;
    private final Function<Flavor, ReferenceImage> referenceImage;
    private final Progress progress;
    private final Map<String, String> refs = new ConcurrentHashMap<>();
    private DockerImages images;
    private String unavailable;

    /** {@code referenceImage} builds or finds a reference flavor's image, whose rootfs.tar is imported. */
    public ContainerLaneImages(Path cacheRoot, Function<Flavor, ReferenceImage> referenceImage, Progress progress) {
        this.cacheRoot = cacheRoot;
        this.referenceImage = referenceImage;
        this.progress = progress;
    }

    /** The engine's images; throws {@link DockerEngine.Unavailable} when there is no engine. */
    public synchronized DockerImages docker() {
        if (unavailable != null) {
            throw new DockerEngine.Unavailable(unavailable);
        }
        if (images == null) {
            try {
                DockerEngine engine = DockerEngine.shared(cacheRoot);
                images = DockerImages.of(engine);
                progress.step("container lane on Docker engine " + engine);
            } catch (DockerEngine.Unavailable e) {
                unavailable = "container lane unavailable: " + e.getMessage();
                progress.step(unavailable);
                throw new DockerEngine.Unavailable(unavailable);
            }
        }
        return images;
    }

    /**
     * The flavor's container image reference without touching the engine (for cache keys: a run whose DDIs are all
     * cached starts no engine).
     */
    public String refOf(Flavor flavor) {
        return FlavorContainerImage.refOf(flavor, () -> referenceImage.apply(flavor));
    }

    /** The flavor's container image on the engine, imported once per run (and kept on the engine by image key). */
    public String imageOf(Flavor flavor) {
        DockerImages docker = docker();
        synchronized (refs) {
            return refs.computeIfAbsent(flavor.name(),
                    n -> FlavorContainerImage.ensure(docker, flavor, () -> referenceImage.apply(flavor), progress));
        }
    }
}
