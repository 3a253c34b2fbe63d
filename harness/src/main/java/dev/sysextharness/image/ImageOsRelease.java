package dev.sysextharness.image;

import dev.sysextharness.host.HarnessException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A reference image's os-release, read from the root file system archive it was built from, without booting it —
 * the host side of the oracle's inputs for commands that boot nothing. Read once per image and kept beside it in
 * the cache (reading the archive takes a second or two).
 */
public final class ImageOsRelease {
    private ImageOsRelease() {
    }

    /** The text of /usr/lib/os-release (what /etc/os-release links to) in {@code image}. */
    public static String of(ReferenceImage image, Path cacheRoot) {
        Path kept = cacheRoot.resolve("os-release").resolve(image.key());
        try {
            if (Files.exists(kept)) {
                return Files.readString(kept);
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(image.rootfsTar())))) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String name = e.getName().replaceFirst("^\\./", "");
                    if (name.equals("usr/lib/os-release") && e.isFile()) {
                        String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                        Files.createDirectories(kept.getParent());
                        Path tmp = Files.createTempFile(kept.getParent(), ".os-release-", "");
                        Files.writeString(tmp, text);
                        Files.move(tmp, kept, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        return text;
                    }
                }
            }
        } catch (IOException e) {
            throw new HarnessException("cannot read os-release from " + image.rootfsTar() + ": " + e.getMessage(), e);
        }
        throw new HarnessException(image.rootfsTar() + " has no usr/lib/os-release");
    }
}
