package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root script that writes an extension in the guest, run here by the same {@code /bin/sh} (dash) the reference
 * nodes have: it leaves exactly the tree the host-side writer makes for a DDI — same paths, bytes and program modes.
 */
class DirectoryExtensionScriptTest {
    @TempDir
    Path dir;

    private static DirectoryExtension sample(String searchDir) {
        return DirectoryExtension.named("tools").in(searchDir).release("ID=_any", "EXTENSION_RELOAD_MANAGER=1")
                .file("usr/share/tools/it's here.txt".replace("'", ""), "line one\nit's two\n")
                .file("usr/bin/hello", "#!/bin/sh\necho hello\n")
                .file("opt/tools/deep/er/file", "x")
                .binary("usr/lib/libtools.so.1", new byte[] {0x7f, 'E', 'L', 'F', 0, 1, 2, (byte) 0xff, '\n', '\''});
    }

    @Test
    void theGuestScriptWritesTheTreeTheHostWriterMakes() throws IOException {
        Path search = Files.createDirectories(dir.resolve("extensions"));
        DirectoryExtension ext = sample(search.toString());
        run(ext.script());
        Path expected = dir.resolve("expected");
        ext.writeTree(expected);

        assertThat(tree(search.resolve("tools"))).as("paths, bytes and program bits written by the script")
                .isEqualTo(tree(expected));
        assertThat(Files.isExecutable(search.resolve("tools/usr/bin/hello"))).isTrue();
        assertThat(Files.isExecutable(search.resolve("tools/usr/share/tools/its here.txt"))).isFalse();
    }

    @Test
    void writingItAgainReplacesWhatWasThere() throws IOException {
        Path search = Files.createDirectories(dir.resolve("extensions"));
        run(sample(search.toString()).script());
        DirectoryExtension smaller = DirectoryExtension.named("tools").in(search.toString()).release("ID=_any")
                .file("usr/share/tools/only", "only\n");
        run(smaller.script());
        Path expected = dir.resolve("expected");
        smaller.writeTree(expected);
        assertThat(tree(search.resolve("tools"))).as("the earlier version's files are gone").isEqualTo(tree(expected));
    }

    @Test
    void aSquashfsImageHoldsTheSameTree() throws IOException {
        Path search = dir.resolve("images");
        String name = "sxh-test-" + ProcessHandle.current().pid();
        DirectoryExtension ext = DirectoryExtension.named(name).in(search.toString()).release("ID=_any")
                .file("usr/share/x/marker", "x\n").file("usr/bin/x", "#!/bin/sh\n");
        run(ext.asSquashfs(name + ".raw").script());
        Path raw = search.resolve(name + ".raw");
        assertThat(Files.readAllBytes(raw)).as("squashfs magic").startsWith('h', 's', 'q', 's');
        Path unpacked = dir.resolve("unpacked");
        OwnedProcesses.run(List.of("unsquashfs", "-q", "-d", unpacked.toString(), raw.toString()), 60);
        Path expected = dir.resolve("expected");
        ext.writeTree(expected);
        assertThat(tree(unpacked)).isEqualTo(tree(expected));
        assertThat(Path.of("/var/tmp/sysext-harness-tree", name)).as("the scratch tree is removed").doesNotExist();
    }

    private static void run(String script) {
        OwnedProcesses.run(List.of("/bin/sh", "-c", script), 60);
    }

    /** Relative path → bytes, with " (x)" after a program's path. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p) + (Files.isExecutable(p) ? " (x)" : ""),
                        new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }
}
