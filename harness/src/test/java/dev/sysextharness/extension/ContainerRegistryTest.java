package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.sysextharness.container.DockerEngine;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.ImageCache;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry variant of issue 3 through Testcontainers, on the harness's Docker engine: the same push and pull
 * as with the child-process registry, and the container is gone after close.
 */
@Tag("host")
class ContainerRegistryTest {
    @TempDir
    Path dir;

    @Test
    void pushedImagePullsBackFromTheRegistryContainer() throws IOException {
        DockerEngine engine = DockerEngine.shared(ImageCache.defaultLocation().root());
        String id;
        try (ContainerRegistry registry = ContainerRegistry.start(engine, RegistryImage.DEFAULT, dir.resolve("image"))) {
            id = registry.containerId();
            assertThat(registry.hostAddress()).startsWith("127.0.0.1:");
            OciImageAndRegistryTest.pushAndPullBack(registry,
                    new ExtensionCatalog(OciImageAndRegistryTest.REPO.resolve("images/extensions")).load("hello"), dir);
        }
        DockerImages images = DockerImages.of(engine);
        assertThatThrownBy(() -> images.client().inspectContainerCmd(id).exec())
                .as("the registry container is removed on close").isInstanceOf(NotFoundException.class);
    }

    @Test
    void aRegistryImageThatIsNotThereIsNamedAndNotPulled() {
        DockerEngine engine = DockerEngine.shared(ImageCache.defaultLocation().root());
        assertThatThrownBy(() -> ContainerRegistry.start(engine, "registry.invalid/nope:2", dir))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining("registry image registry.invalid/nope:2 is not on the Docker engine")
                .hasMessageNotContaining("\n");
    }
}
