package dev.sysextharness.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreesTest {
    @TempDir
    Path dir;

    @Test
    void aTreeGoesWithEverythingInItButNotWhatItsLinksPointAt() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("kept"), "x");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "y");
        Files.createSymbolicLink(dir.resolve("tree/a/to-outside"), outside);
        Files.createSymbolicLink(dir.resolve("tree/dangling"), dir.resolve("nothing"));

        Trees.delete(dir.resolve("tree"));

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(outside.resolve("kept")).as("a file behind a link inside the tree").hasContent("x");
    }

    @Test
    void whatIsNotThereIsAlreadyDeletedAndASingleFileOrLinkGoesAlone() throws Exception {
        Trees.delete(dir.resolve("never-made"));
        Path file = Files.writeString(dir.resolve("file"), "z");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
        Trees.delete(link);
        Trees.delete(file);
        assertThat(dir).isEmptyDirectory();
    }
}
