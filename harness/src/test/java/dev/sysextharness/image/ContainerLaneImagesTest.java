package dev.sysextharness.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A flavor's container image is named without an engine — the name is part of every DDI's cache key, and a run whose
 * DDIs are cached must not start a Docker engine (two harness processes on one cache would then fight over it).
 */
class ContainerLaneImagesTest {
    static final Workspace WS = Workspace.locate(null);

    @Test
    void aReferenceFlavorsImageIsNamedByItsReferenceImagesKeyWithoutAnEngine() {
        Flavor debian13 = WS.flavors().load("debian-13");
        Progress progress = Progress.silent();
        ContainerLaneImages lane = new ContainerLaneImages(Path.of("/nonexistent-cache"),
                f -> new ReferenceImage(Path.of("/nonexistent-cache/reference/af956513b249b5c31b476ff54ce4e319316481518a0d13c264178cfe24864a43"),
                        "257.13"), progress);
        assertThat(lane.refOf(debian13)).isEqualTo("sysext-harness/flavor-debian-13:af956513b249b5c3");
        assertThat(dev.sysextharness.container.DockerEngine.sharedPrivatePid()).as("no engine was started").isEqualTo(-1);
    }

    @Test
    void aKairosFlavorsImageIsItsPublishedImage() {
        Flavor kairos = WS.flavors().load("kairos-ubuntu-24.04");
        ContainerLaneImages lane = new ContainerLaneImages(Path.of("/nonexistent-cache"), f -> {
            throw new AssertionError("a Kairos flavor has no reference image");
        }, Progress.silent());
        assertThat(lane.refOf(kairos)).isEqualTo(kairos.image().kairos().containerImage());
    }
}
