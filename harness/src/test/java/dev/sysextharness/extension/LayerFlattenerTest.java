package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerFlattenerTest {
    @TempDir
    Path target;

    static final class Tar {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar dir(String name) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040755);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar file(String name, String content, int mode) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(data.length);
            e.setMode(0100000 | mode);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
            return this;
        }

        Tar file(String name, String content) throws IOException {
            return file(name, content, 0644);
        }

        Tar symlink(String name, String to) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(to);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        byte[] bytes() throws IOException {
            out.finish();
            return bytes.toByteArray();
        }
    }

    java.util.List<String> apply(Tar layer) throws IOException {
        byte[] b = layer.bytes();
        return LayerFlattener.applyLayer(() -> new ByteArrayInputStream(b), target, "test-layer");
    }

    @Test
    void extractsFilesModesAndSymlinks() throws IOException {
        apply(new Tar().dir("usr").dir("usr/bin").file("usr/bin/hello", "#!/bin/sh\n", 0755).symlink("usr/bin/hi", "hello"));
        assertThat(target.resolve("usr/bin/hello")).hasContent("#!/bin/sh").isExecutable();
        assertThat(Files.readSymbolicLink(target.resolve("usr/bin/hi"))).isEqualTo(Path.of("hello"));
    }

    @Test
    void whiteoutDeletesWhatLowerLayersHad() throws IOException {
        apply(new Tar().file("usr/share/a.txt", "a").file("usr/share/b.txt", "b"));
        assertThat(apply(new Tar().file("usr/share/.wh.a.txt", ""))).as("what the whiteout removed").containsExactly("usr/share/a.txt");
        assertThat(target.resolve("usr/share/a.txt")).doesNotExist();
        assertThat(target.resolve("usr/share/b.txt")).hasContent("b");
    }

    @Test
    void opaqueDirectoryHidesLowerContentButKeepsItsOwnLayersFiles() throws IOException {
        apply(new Tar().file("opt/app/old.txt", "old").file("opt/other.txt", "other"));
        // the opaque marker comes after the layer's own file: it still only hides the lower layers
        assertThat(apply(new Tar().file("opt/app/new.txt", "new").file("opt/app/.wh..wh..opq", "")))
                .as("what the opaque marker hid").containsExactly("opt/app/old.txt");
        assertThat(target.resolve("opt/app/old.txt")).doesNotExist();
        assertThat(target.resolve("opt/app/new.txt")).hasContent("new");
        assertThat(target.resolve("opt/other.txt")).hasContent("other");
        assertThat(target.resolve("opt/app/.wh..wh..opq")).doesNotExist();
    }

    @Test
    void upperFileReplacesLowerDirectory() throws IOException {
        apply(new Tar().file("usr/lib/x/inner", "inner"));
        apply(new Tar().file("usr/lib/x", "now a file"));
        assertThat(target.resolve("usr/lib/x")).isRegularFile().hasContent("now a file");
    }

    @Test
    void refusesEntriesThatEscapeTheTarget() throws IOException {
        Tar evil = new Tar().file("../escape.txt", "x");
        byte[] b = evil.bytes();
        assertThatThrownBy(() -> LayerFlattener.applyLayer(() -> new ByteArrayInputStream(b), target, "evil"))
                .hasMessageContaining("outside the image root");
        assertThat(target.getParent().resolve("escape.txt")).doesNotExist();
    }
}
