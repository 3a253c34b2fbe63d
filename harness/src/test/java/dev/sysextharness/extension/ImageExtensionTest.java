package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An author's extension given as an image: pushed by jib-core to the real registry, pulled back as a definition. */
@Tag("host")
class ImageExtensionTest {
    @TempDir
    Path dir;

    private final ExtensionCatalog catalog = new ExtensionCatalog(OciImageAndRegistryTest.REPO.resolve("images/extensions"));

    @Test
    void anImageBecomesTheDefinitionItWasBuiltFrom() throws IOException {
        Extension original = catalog.load("kubo-like");
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            String ref = registry.hostAddress() + "/authors/kubo-like:2";
            new OciImageBuilder(dir.resolve("jib")).push(original, ref);

            Extension pulled = ExtensionCatalog.load(ImageExtension.materialize(ref, dir.resolve("work")));

            assertThat(pulled.name()).isEqualTo("kubo-like");
            assertThat(pulled.extensionName()).isEqualTo(original.extensionName());
            assertThat(pulled.definition().releaseText()).isEqualTo(original.definition().releaseText());
            assertThat(pulled.files()).isEqualTo(original.files());
            assertThat(pulled.rootfs().resolve("usr/bin/ipfs")).isExecutable()
                    .hasSameBinaryContentAs(original.rootfs().resolve("usr/bin/ipfs"));
        }
    }

    @Test
    void anImageWithoutAReleaseFileIsCertifiedAsSuch() throws IOException {
        Path home = Files.createDirectories(dir.resolve("bare"));
        Files.writeString(home.resolve("extension.yaml"), "name: bare\nnoRelease: true\n");
        Files.writeString(Files.createDirectories(home.resolve("rootfs/usr/share/bare")).resolve("x"), "x\n");
        Extension none = ExtensionCatalog.load(home);
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            String ref = registry.hostAddress() + "/bare";
            new OciImageBuilder(dir.resolve("jib")).push(none, ref + ":latest");
            Extension pulled = ExtensionCatalog.load(ImageExtension.materialize(ref, dir.resolve("work")));
            assertThat(pulled.definition().noRelease()).isTrue();
            assertThat(pulled.definition().releaseText()).isNull();
        }
    }

    @Test
    void anImageTheRegistryDoesNotHaveIsOneLineNamingIt() {
        try (DistributionRegistry registry = DistributionRegistry.start(dir.resolve("registry"))) {
            String ref = registry.hostAddress() + "/nope:1";
            assertThatThrownBy(() -> ImageExtension.materialize(ref, dir.resolve("work")))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("nope:1 not found in the registry at " + registry.baseUrl())
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void onlyReferencesThatNameTheirRegistryAreImages() {
        assertThat(ImageExtension.isReference("127.0.0.1:5000/hello:1")).isTrue();
        assertThat(ImageExtension.isReference("localhost/a/b@sha256:" + "0".repeat(64))).isTrue();
        assertThat(ImageExtension.isReference("registry.example.com/x")).isTrue();
        assertThat(ImageExtension.isReference("hello:1")).isFalse();
        assertThat(ImageExtension.isReference("library/hello")).isFalse();
        assertThat(ImageExtension.isReference("./images/extensions/hello")).isFalse();
        assertThatThrownBy(() -> ImageExtension.materialize("hello", dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not an image reference");
    }
}
