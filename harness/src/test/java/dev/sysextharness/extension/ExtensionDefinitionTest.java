package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtensionDefinitionTest {
    @TempDir
    Path dir;

    Path define(String name, String yaml) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(home.resolve("rootfs/usr/bin"));
        Files.writeString(home.resolve("rootfs/usr/bin/tool"), "x");
        Files.writeString(home.resolve("extension.yaml"), yaml);
        return home;
    }

    @Test
    void releaseFileIsGeneratedFromFieldsAndNamedAfterTheExtension() throws IOException {
        Extension ext = ExtensionCatalog.load(define("tool", "name: tool\nrelease:\n  ID: _any\n  ARCHITECTURE: x86-64\n"));
        assertThat(ext.definition().releasePath()).isEqualTo("usr/lib/extension-release.d/extension-release.tool");
        assertThat(ext.definition().releaseText()).isEqualTo("ID=_any\nARCHITECTURE=x86-64\n");
        assertThat(ext.files()).containsExactly("usr/bin/tool", "usr/lib/extension-release.d/extension-release.tool");
    }

    @Test
    void extensionNameAndReleaseFileNameCanDiffer() throws IOException {
        Extension ext = ExtensionCatalog.load(define("kubo-like", "name: kubo-like\nextensionName: kubo\nrelease: {ID: _any}\n"));
        assertThat(ext.extensionName()).isEqualTo("kubo");
        assertThat(ext.definition().releasePath()).endsWith("extension-release.kubo");
        Extension other = ExtensionCatalog.load(define("misnamed", "name: misnamed\nreleaseFileName: someone-else\nreleaseFile: \"ID=_any\"\n"));
        assertThat(other.definition().releasePath()).endsWith("extension-release.someone-else");
        assertThat(other.definition().releaseText()).isEqualTo("ID=_any\n");
    }

    @Test
    void aDefinitionWithoutExtensionReleaseIsRefused() throws IOException {
        Path home = define("bare", "name: bare\n");
        assertThatThrownBy(() -> ExtensionCatalog.load(home)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("extension.yaml").hasMessageContaining("no extension-release");
    }

    @Test
    void aTreeWithContentOutsideUsrAndOptIsRefused() throws IOException {
        Path home = define("leaky", "name: leaky\nrelease: {ID: _any}\n");
        Files.createDirectories(home.resolve("rootfs/etc"));
        assertThatThrownBy(() -> ExtensionCatalog.load(home)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rootfs/etc is outside usr/ and opt/");
    }

    @Test
    void theShippedExtensionsLoad() {
        Path repo = Path.of(System.getProperty("sysext.repoRoot", ".."));
        ExtensionCatalog catalog = new ExtensionCatalog(repo.resolve("images/extensions"));
        assertThat(catalog.names()).contains("hello", "kubo-like");
        assertThat(catalog.load("hello").files()).contains("usr/bin/hello", "opt/hello/data.txt");
        assertThat(catalog.load("kubo-like").files()).containsExactly("usr/bin/ipfs",
                "usr/lib/extension-release.d/extension-release.kubo");
    }
}
