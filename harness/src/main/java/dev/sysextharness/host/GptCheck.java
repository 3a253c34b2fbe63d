package dev.sysextharness.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * A cheap integrity check of a cached GPT disk before a node boots it: both GPT headers (the primary at LBA 1 and
 * the backup at the disk's last LBA) carry their signature and a matching CRC32, and the partition table matches
 * its CRC32. A truncated copy, a file overwritten at either end, or a disk that is not GPT at all fails it; reading
 * a few KiB costs nothing next to a boot. (It does not read the file systems: those a node's boot checks.)
 */
public final class GptCheck {
    private static final int SECTOR = 512;

    private GptCheck() {
    }

    /** Null when the disk's GPT is intact, else what is wrong, in a few words. */
    public static String problem(Path disk) {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 34L * SECTOR) {
                return "too small for a GPT disk (" + size + " bytes)";
            }
            ByteBuffer primary = read(ch, SECTOR, SECTOR);
            String bad = header(primary, "primary GPT header");
            if (bad != null) {
                return bad;
            }
            long backupLba = primary.getLong(32);
            if ((backupLba + 1) * SECTOR > size) {
                return "the backup GPT header is at LBA " + backupLba + " but the file ends at LBA " + (size / SECTOR - 1)
                        + " (truncated?)";
            }
            bad = header(read(ch, backupLba * SECTOR, SECTOR), "backup GPT header");
            if (bad != null) {
                return bad;
            }
            long entriesLba = primary.getLong(72);
            int count = primary.getInt(80);
            int entrySize = primary.getInt(84);
            if (count <= 0 || count > 1024 || entrySize < 128 || entrySize > 4096) {
                return "the GPT header describes " + count + " partition entries of " + entrySize + " bytes";
            }
            CRC32 crc = new CRC32();
            crc.update(read(ch, entriesLba * SECTOR, count * entrySize));
            if ((int) crc.getValue() != primary.getInt(88)) {
                return "the GPT partition table does not match its CRC32";
            }
            return null;
        } catch (IOException e) {
            return "cannot read it: " + e.getMessage();
        }
    }

    private static String header(ByteBuffer h, String what) {
        if (!new String(h.array(), 0, 8, StandardCharsets.US_ASCII).equals("EFI PART")) {
            return "no " + what + " (signature missing)";
        }
        int length = h.getInt(12);
        if (length < 92 || length > SECTOR) {
            return what + " has a length of " + length;
        }
        byte[] copy = new byte[length];
        System.arraycopy(h.array(), 0, copy, 0, length);
        copy[16] = copy[17] = copy[18] = copy[19] = 0;
        CRC32 crc = new CRC32();
        crc.update(copy);
        return (int) crc.getValue() == h.getInt(16) ? null : what + " does not match its CRC32";
    }

    /** {@code length} bytes of {@code ch} from {@code at}, little-endian; a short file is an IOException. */
    public static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (at + b.position()));
            }
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
}
