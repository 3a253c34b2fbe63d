package dev.sysextharness.extension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A loaded, validated extension definition and the tree it ships. */
public record Extension(ExtensionDefinition definition, Path rootfs) {
    public String name() {
        return definition.name();
    }

    /** Every regular file and symlink the image holds, relative (usr/bin/hello), including the release file. */
    public SortedSet<String> files() {
        SortedSet<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(rootfs)) {
            walk.filter(p -> !Files.isDirectory(p)).forEach(p -> files.add(rootfs.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + rootfs, e);
        }
        if (definition.releasePath() != null) {
            files.add(definition.releasePath());
        }
        return files;
    }

    /** The file beside rootfs/ listing what the image's whiteouts removed (made from an author's image). */
    public static final String WHITEOUTS = "whiteouts.txt";

    /** Paths (relative) the image's whiteouts removed and no upper layer put back: they must not appear on a node. */
    public java.util.List<String> whitedOut() {
        Path file = rootfs.resolveSibling(WHITEOUTS);
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : java.util.List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The sysext image name: /var/lib/extensions/&lt;this&gt;. */
    public String extensionName() {
        return definition.extensionName();
    }
}
