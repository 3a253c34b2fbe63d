package dev.sysextharness.vm;

import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A qcow2 copy-on-write overlay: every VM writes only to its own, the base disk stays pristine. */
public final class Overlay {
    private static final int QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"

    private Overlay() {
    }

    /** Creates {@code overlay} backed by {@code base} ({@code raw} or {@code qcow2}). */
    public static Path create(Path base, String baseFormat, Path overlay) {
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "qcow2",
                "-b", base.toAbsolutePath().toString(), "-F", baseFormat, overlay.toString()), 60);
        return overlay;
    }

    /**
     * The files {@code image} reads through, nearest first: its backing file, that one's, … down to the base disk.
     * Read from the qcow2 headers (no qemu-img: the image may be open in a running QEMU); the chain stops at a file
     * that is missing or not qcow2. Relative backing names are resolved against the image's directory, as QEMU does.
     */
    public static List<Path> backingChain(Path image) throws IOException {
        List<Path> chain = new ArrayList<>();
        Path current = image;
        while (Files.isRegularFile(current) && chain.size() < 16) {
            Path backing = backingFile(current);
            if (backing == null) {
                break;
            }
            chain.add(backing);
            current = backing;
        }
        return chain;
    }

    /** The backing file named in a qcow2 header; null for a file that is not qcow2 or has none. */
    static Path backingFile(Path image) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            if (f.length() < 20 || f.readInt() != QCOW2_MAGIC) {
                return null;
            }
            f.seek(8);
            long offset = f.readLong();
            int size = f.readInt();
            if (offset == 0 || size <= 0 || size > 4096) {
                return null;
            }
            byte[] name = new byte[size];
            f.seek(offset);
            f.readFully(name);
            Path backing = Path.of(new String(name, StandardCharsets.UTF_8));
            return backing.isAbsolute() ? backing : image.toAbsolutePath().getParent().resolve(backing);
        }
    }
}
