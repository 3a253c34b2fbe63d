package dev.sysextharness.container;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A directory tree as a tar stream for the Docker engine's archive API: files, directories and symlinks as they are. */
public final class TreeTar {
    private TreeTar() {
    }

    /** {@code dir}'s content under the top directory {@code top}. */
    public static InputStream of(Path dir, String top) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes); Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : walk.sorted().toList()) {
                String name = top + (p.equals(dir) ? "" : "/" + dir.relativize(p));
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                TarArchiveEntry e;
                if (a.isSymbolicLink()) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (a.isDirectory()) {
                    e = new TarArchiveEntry(name + "/");
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(a.size());
                }
                e.setMode((a.isDirectory() ? 040000 : a.isSymbolicLink() ? 0120000 : 0100000) | mode(a.permissions()));
                e.setModTime(a.lastModifiedTime().toMillis());
                tar.putArchiveEntry(e);
                if (a.isRegularFile()) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private static int mode(java.util.Set<PosixFilePermission> perms) {
        int m = 0;
        List<PosixFilePermission> order = List.of(PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ);
        for (int i = 0; i < order.size(); i++) {
            if (perms.contains(order.get(i))) {
                m |= 1 << i;
            }
        }
        return m;
    }
}
