package dev.sysextharness.image;

import dev.sysextharness.container.DockerImages;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.image.ReferenceImage;
import java.nio.file.Files;
import java.util.function.Supplier;

/**
 * The container image of a flavor's userspace. A reference flavor's is imported from the very rootfs archive its
 * VM image was built from ({@code rootfs.tar} next to the disk: no second recipe), tagged with the reference
 * image's cache key, so it is imported once per image build. A Kairos flavor's is the container image the same
 * release publishes ({@code image.kairos.containerImage}), which must already be on the engine: nothing is pulled.
 */
public final class FlavorContainerImage {
    static final String REPOSITORY = "sysext-harness/flavor-";

    private FlavorContainerImage() {
    }

    /**
     * The image reference, known without an engine: a Kairos flavor's published image, or a reference flavor's image
     * tagged with its reference image's key ({@code reference} builds or finds that image).
     */
    public static String refOf(Flavor flavor, Supplier<ReferenceImage> reference) {
        if (flavor.family() == Family.KAIROS) {
            return flavor.image().kairos().containerImage();
        }
        return REPOSITORY + flavor.name() + ":" + reference.get().key().substring(0, 16);
    }

    /** The image reference, imported first if needed; {@code reference} builds or finds the flavor's reference image. */
    public static String ensure(DockerImages images, Flavor flavor, Supplier<ReferenceImage> reference, Progress progress) {
        if (flavor.family() == Family.KAIROS) {
            String ref = refOf(flavor, reference);
            if (!images.has(ref)) {
                throw new HarnessException("container image " + ref + " of flavor " + flavor.name() + " (image.kairos.containerImage)"
                        + " is not on the Docker engine and cannot be pulled here; load it first, e.g. docker load -i FILE");
            }
            return ref;
        }
        ReferenceImage image = reference.get();
        String ref = refOf(flavor, () -> image);
        String tag = ref.substring(ref.lastIndexOf(':') + 1);
        if (images.has(ref)) {
            return ref;
        }
        if (!Files.isRegularFile(image.rootfsTar())) {
            throw new HarnessException("reference image " + image.dir() + " has no rootfs.tar to import for the container lane;"
                    + " rebuild it (harness/bin/sysext-harness build --flavor " + flavor.name() + ")");
        }
        progress.step("importing " + image.rootfsTar() + " as container image " + ref);
        images.importTarball(image.rootfsTar(), REPOSITORY + flavor.name(), tag);
        return ref;
    }
}
