package dev.sysextharness.image;

import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.ImageCache;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
    @TempDir
    Path root;

    @Test
    void buildsOnceThenReuses() {
        ImageCache cache = new ImageCache(root);
        AtomicInteger builds = new AtomicInteger();
        ImageCache.Builder builder = (into, p) -> {
            builds.incrementAndGet();
            Files.writeString(into.resolve("disk.img"), "content");
        };
        Path first = cache.getOrBuild("reference", "abc", builder, Progress.silent());
        Path second = cache.getOrBuild("reference", "abc", builder, Progress.silent());
        assertThat(second).isEqualTo(first);
        assertThat(builds).hasValue(1);
        assertThat(first.resolve("disk.img")).hasContent("content");
        assertThat(cache.find("reference", "abc")).isEqualTo(first);
    }

    @Test
    void failedBuildLeavesNothingThatLooksComplete() throws IOException {
        ImageCache cache = new ImageCache(root);
        assertThatThrownBy(() -> cache.getOrBuild("reference", "k1", (into, p) -> {
            Files.writeString(into.resolve("disk.img"), "half");
            throw new IOException("mirror unreachable");
        }, Progress.silent())).hasMessageContaining("mirror unreachable");
        assertThat(cache.find("reference", "k1")).isNull();
        assertThat(root.resolve("reference/k1")).doesNotExist();
        try (Stream<Path> left = Files.list(root.resolve("reference"))) {
            assertThat(left.map(p -> p.getFileName().toString())).allMatch(n -> n.endsWith(".lock"));
        }
    }

    @Test
    void anEntryWithoutItsCompletionMarkIsRebuilt() throws IOException {
        // What a build killed mid-rename (or a hand-made directory) looks like: never used as is.
        Path stale = Files.createDirectories(root.resolve("reference/k2"));
        Files.writeString(stale.resolve("disk.img"), "truncated");
        ImageCache cache = new ImageCache(root);
        assertThat(cache.find("reference", "k2")).isNull();
        Path entry = cache.getOrBuild("reference", "k2", (into, p) -> Files.writeString(into.resolve("disk.img"), "whole"),
                Progress.silent());
        assertThat(entry.resolve("disk.img")).hasContent("whole");
    }

    @Test
    void contentHashChangesWithAnyInput(@TempDir Path tree) throws IOException {
        Files.writeString(tree.resolve("build.sh"), "echo 1");
        String a = new ContentHash().addTree("recipe", tree).add("suite", "bookworm").hex();
        String same = new ContentHash().addTree("recipe", tree).add("suite", "bookworm").hex();
        String otherSuite = new ContentHash().addTree("recipe", tree).add("suite", "trixie").hex();
        Files.writeString(tree.resolve("build.sh"), "echo 2");
        String otherRecipe = new ContentHash().addTree("recipe", tree).add("suite", "bookworm").hex();
        assertThat(same).isEqualTo(a);
        assertThat(otherSuite).isNotEqualTo(a);
        assertThat(otherRecipe).isNotEqualTo(a).isNotEqualTo(otherSuite);
    }

    @Test
    void aDamagedEntryIsRemovedWithOneLineAndBuiltAgain() throws IOException {
        ImageCache cache = new ImageCache(root);
        AtomicInteger builds = new AtomicInteger();
        ImageCache.Builder builder = (into, p) -> Files.writeString(into.resolve("disk.img"), "build " + builds.incrementAndGet());
        ImageCache.Check check = ImageCache.Check.files(null, "disk.img", "vmlinuz");
        ImageCache.Builder withKernel = (into, p) -> {
            builder.build(into, p);
            Files.writeString(into.resolve("vmlinuz"), "kernel");
        };
        Path entry = cache.getOrBuild("reference", "k3", withKernel, check, Progress.silent());
        Files.delete(entry.resolve("vmlinuz")); // damaged behind the cache's back
        java.util.List<String> lines = new java.util.ArrayList<>();

        Path again = cache.getOrBuild("reference", "k3", withKernel, check, lines::add);

        assertThat(again.resolve("disk.img")).hasContent("build 2");
        assertThat(lines).anyMatch(l -> l.equals("reference k3: the cached entry " + entry + " is damaged (no vmlinuz);"
                + " removing it and building it again"));
    }

    @Test
    void aBuildWhoseProductIsDamagedLeavesNoEntryAndKeepsItsLog() {
        ImageCache cache = new ImageCache(root);
        assertThatThrownBy(() -> cache.getOrBuild("reference", "k4", (into, p) -> {
            Files.writeString(into.resolve("build.log"), "what the build said\n");
            Files.writeString(into.resolve("disk.img"), "not a GPT disk");
        }, ImageCache.Check.files("disk.img", "disk.img"), Progress.silent()))
                .hasMessage("reference k4: the build finished but its product is damaged (too small for a GPT disk (14 bytes))");
        assertThat(cache.find("reference", "k4")).isNull();
        assertThat(cache.failureLog("reference", "k4")).hasContent("what the build said");
    }
}
