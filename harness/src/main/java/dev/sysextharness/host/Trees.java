package dev.sysextharness.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Deleting a directory tree: the one way every part of the harness does it. */
public final class Trees {
    private Trees() {
    }

    /**
     * Deletes {@code p} and, if it is a directory, everything in it; a symbolic link is deleted, never followed. A
     * path that does not exist is already deleted.
     */
    public static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(p)) {
                for (Path c : children.toList()) {
                    delete(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
