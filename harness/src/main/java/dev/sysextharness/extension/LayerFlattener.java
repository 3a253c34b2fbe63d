package dev.sysextharness.extension;

import dev.sysextharness.host.HarnessException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Applies OCI image layers, bottom first, onto a directory, as kairos-agent does when it unpacks a bundle:
 * {@code .wh.NAME} deletes NAME from the layers below, {@code .wh..wh..opq} empties its directory of everything
 * the layers below put there. Modes, owners (when running as root) and times are kept; entries that would
 * escape the target are refused.
 */
public final class LayerFlattener {
    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";

    private LayerFlattener() {
    }

    /**
     * Applies the layers, bottom first; returns the paths (relative, files and symlinks) that a whiteout removed and no
     * upper layer put back: what the image says must not be there.
     */
    public static java.util.SortedSet<String> apply(List<RegistryClient.Layer> layers, Path target) throws IOException {
        Files.createDirectories(target);
        java.util.SortedSet<String> whitedOut = new java.util.TreeSet<>();
        for (RegistryClient.Layer layer : layers) {
            whitedOut.addAll(applyLayer(() -> {
                InputStream raw = new BufferedInputStream(Files.newInputStream(layer.file()));
                return layer.gzipped() ? new GzipCompressorInputStream(raw) : raw;
            }, target, layer.digest()));
        }
        whitedOut.removeIf(p -> Files.exists(target.resolve(p), LinkOption.NOFOLLOW_LINKS));
        return whitedOut;
    }

    /** Opens a layer's (uncompressed) tar stream; a layer is read twice. */
    @FunctionalInterface
    interface TarSource {
        InputStream open() throws IOException;
    }

    /**
     * Whiteouts hide what the layers <em>below</em> put there, never the layer's own entries: the first pass
     * applies them to the target as it stands, the second extracts the layer's files.
     */
    static List<String> applyLayer(TarSource source, Path target, String name) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        List<String> removed = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(source.open())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path dest = inside(root, e.getName(), name);
                String base = dest.getFileName() == null ? "" : dest.getFileName().toString();
                if (base.equals(OPAQUE)) {
                    removed.addAll(leaves(root, dest.getParent(), false));
                    emptyDirectory(dest.getParent());
                } else if (base.startsWith(WHITEOUT)) {
                    Path gone = dest.resolveSibling(base.substring(WHITEOUT.length()));
                    removed.addAll(leaves(root, gone, true));
                    dev.sysextharness.host.Trees.delete(gone);
                }
            }
        }
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        List<Path[]> hardlinks = new ArrayList<>();
        List<TarArchiveEntry> dirs = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(source.open())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path dest = inside(root, e.getName(), name);
                String base = dest.getFileName() == null ? "" : dest.getFileName().toString();
                if (base.startsWith(WHITEOUT) || dest.equals(root)) {
                    continue;
                }
                Files.createDirectories(dest.getParent());
                if (e.isDirectory()) {
                    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(dest);
                    }
                    Files.createDirectories(dest);
                    dirs.add(e);
                    continue;
                }
                dev.sysextharness.host.Trees.delete(dest); // a file replaces whatever a lower layer had there
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    hardlinks.add(new Path[] {dest, inside(root, e.getLinkName(), name)});
                    continue;
                } else if (e.isFile()) {
                    Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    continue; // devices and fifos have no place in a sysext
                }
                attributes(dest, e, asRoot);
            }
        }
        for (Path[] link : hardlinks) {
            Files.createLink(link[0], link[1]);
        }
        for (TarArchiveEntry d : dirs) {
            attributes(inside(root, d.getName(), name), d, asRoot); // after the files, so their times stick
        }
        return removed;
    }

    /** The files and symlinks at or below {@code p} (relative to {@code root}); {@code self}: p itself counts. */
    private static List<String> leaves(Path root, Path p, boolean self) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var walk = Files.walk(p)) {
            return walk.filter(x -> (self || !x.equals(p)) && !Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS))
                    .map(x -> root.relativize(x).toString()).toList();
        }
    }

    private static void attributes(Path p, TarArchiveEntry e, boolean asRoot) throws IOException {
        if (asRoot) {
            Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!e.isSymbolicLink()) {
            Files.setPosixFilePermissions(p, permissions(e.getMode()));
            Files.setLastModifiedTime(p, FileTime.from(e.getModTime().toInstant()));
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }

    private static Path inside(Path root, String entryName, String layer) {
        Path p = root.resolve(entryName.startsWith("/") ? entryName.substring(1) : entryName).normalize();
        if (!p.startsWith(root)) {
            throw new HarnessException("layer " + layer + " has an entry outside the image root: " + entryName);
        }
        return p;
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(dir)) {
                for (Path c : children.toList()) {
                    dev.sysextharness.host.Trees.delete(c);
                }
            }
        }
    }
}
