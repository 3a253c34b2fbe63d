package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jib-core builds, the real distribution registry serves, the installer's client pulls: no Docker daemon anywhere. */
@Tag("host")
class OciImageAndRegistryTest {
    static final Path REPO = Path.of(System.getProperty("sysext.repoRoot", ".."));

    @TempDir
    Path dir;

    Extension hello() {
        return new ExtensionCatalog(REPO.resolve("images/extensions")).load("hello");
    }

    @Test
    void theSameDefinitionGivesTheSameDigestTwice() {
        OciImageBuilder builder = new OciImageBuilder(dir.resolve("jib"));
        String first = builder.writeTar(hello(), "hello:1", dir.resolve("a.tar"));
        String second = builder.writeTar(hello(), "hello:1", dir.resolve("b.tar"));
        assertThat(first).startsWith("sha256:").isEqualTo(second);
        assertThat(dir.resolve("a.tar")).isNotEmptyFile();
    }

    @Test
    void pushedImagePullsBackWithTheGeneratedReleaseFileAndModes() throws IOException {
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            pushAndPullBack(registry, hello(), dir);
        }
    }

    /** Pushes with jib-core, pulls back through the installer's client, and checks the tree it flattens to. */
    static void pushAndPullBack(Registry registry, Extension hello, Path dir) throws IOException {
        String digest = new OciImageBuilder(dir.resolve("jib")).push(hello, registry.hostAddress() + "/hello:1");
        assertThat(digest).startsWith("sha256:");

        List<RegistryClient.Layer> layers = new RegistryClient(registry.baseUrl()).pullLayers("hello", "1", Files.createDirectories(dir.resolve("layers")));
        Path tree = dir.resolve("tree");
        LayerFlattener.apply(layers, tree);
        assertThat(tree.resolve("usr/lib/extension-release.d/extension-release.hello")).hasContent("ID=_any");
        assertThat(tree.resolve("usr/bin/hello")).isExecutable();
        assertThat(tree.resolve("opt/hello/data.txt")).exists();
        assertThat(tree.resolve("etc")).doesNotExist();
    }

    /** A DDI published for kairos-agent's oci: install: the file alone at the image's root, the same digest every time. */
    @Test
    void aFilePushedAloneLandsAtTheImagesRootWithTheSameDigestTwice() throws IOException {
        Path raw = Files.write(dir.resolve("tools.raw"), new byte[] {1, 2, 3, 4});
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            OciImageBuilder builder = new OciImageBuilder(dir.resolve("jib"));
            String first = builder.pushFile(raw, registry.hostAddress() + "/tools-ddi:1");
            assertThat(builder.pushFile(raw, registry.hostAddress() + "/tools-ddi:2")).isEqualTo(first).startsWith("sha256:");
            List<RegistryClient.Layer> layers = new RegistryClient(registry.baseUrl()).pullLayers("tools-ddi", "1",
                    Files.createDirectories(dir.resolve("file-layers")));
            Path tree = dir.resolve("file-tree");
            LayerFlattener.apply(layers, tree);
            try (var entries = Files.list(tree)) {
                assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("tools.raw");
            }
            assertThat(tree.resolve("tools.raw")).hasBinaryContent(new byte[] {1, 2, 3, 4});
        }
        assertThatThrownBy(() -> new OciImageBuilder(dir.resolve("jib")).pushFile(raw, "registry.example.com/tools-ddi:1"))
                .hasMessageContaining("only loopback registries are allowed");
    }

    @Test
    void anImageTheRegistryDoesNotHaveIsNamedInTheError() {
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            assertThatThrownBy(() -> new RegistryClient(registry.baseUrl()).pullLayers("nope", "1", dir))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("image nope:1 not found in the registry at " + registry.baseUrl());
        }
    }

    @Test
    void aRegistryPortInUseIsOneClearLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> DistributionRegistry.start(dir.resolve("registry"), taken.getLocalPort()))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("registry port 127.0.0.1:" + taken.getLocalPort() + " is in use")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void pushingAnywhereButLoopbackIsRefused() {
        assertThatThrownBy(() -> new OciImageBuilder(dir.resolve("jib")).push(hello(), "registry.example.com/hello:1"))
                .hasMessageContaining("only loopback registries");
    }
}
