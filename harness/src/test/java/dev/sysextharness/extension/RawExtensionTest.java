package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An author's .raw file, made here by the real mksquashfs, read back by the real unsquashfs into a definition. */
@Tag("host")
class RawExtensionTest {
    @TempDir
    Path dir;

    private Path squashfs(String file, String releaseName, String release) throws Exception {
        Path tree = dir.resolve("tree-" + file);
        Files.createDirectories(tree.resolve("usr/bin"));
        Files.writeString(tree.resolve("usr/bin/tool"), "#!/bin/sh\necho tool\n");
        tree.resolve("usr/bin/tool").toFile().setExecutable(true, false);
        if (releaseName != null) {
            Files.writeString(Files.createDirectories(tree.resolve("usr/lib/extension-release.d"))
                    .resolve("extension-release." + releaseName), release);
        }
        Path raw = dir.resolve(file);
        Process p = new ProcessBuilder("mksquashfs", tree.toString(), raw.toString(), "-quiet", "-noappend", "-all-root")
                .redirectErrorStream(true).redirectOutput(dir.resolve("mksquashfs.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("mksquashfs.log"))).isZero();
        return raw;
    }

    @Test
    void theImageIsNamedByItsFileAndJudgedByItsOwnReleaseFile() throws Exception {
        Path raw = squashfs("tools.raw", "tools", "ID=_any\n");
        Extension ext = ExtensionCatalog.load(RawExtension.materialize(raw, dir.resolve("work")));
        assertThat(ext.extensionName()).isEqualTo("tools");
        assertThat(ext.definition().releaseFileName()).isEqualTo("tools");
        assertThat(ext.definition().releaseText()).isEqualTo("ID=_any\n");
        assertThat(ext.definition().raw()).isEqualTo(raw.toAbsolutePath().toString());
        assertThat(ext.files()).containsExactly("usr/bin/tool", "usr/lib/extension-release.d/extension-release.tools");
    }

    @Test
    void aReleaseFileNamedForAnotherImageIsKeptAsItIs() throws Exception {
        Path raw = squashfs("Renamed.raw", "tools", "ID=_any\n");
        Extension ext = ExtensionCatalog.load(RawExtension.materialize(raw, dir.resolve("work")));
        assertThat(ext.extensionName()).isEqualTo("Renamed");
        assertThat(ext.definition().releaseFileName()).isEqualTo("tools");
    }

    @Test
    void aFileNotNamedDotRawIsRefused() throws IOException {
        Path img = Files.writeString(dir.resolve("tools.img"), "hsqs");
        assertThatThrownBy(() -> RawExtension.materialize(img, dir.resolve("work")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is named NAME.raw");
    }
}
