package dev.sysextharness.extension;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.GptCheck;
import dev.sysextharness.host.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an extension image file ({@code NAME.raw}, {@code NAME.sysext.raw}) holds, read on the host without mounting
 * it: a naked file system (squashfs, erofs), or a GPT disk image laid out by the Discoverable Partitions Specification
 * (a DDI, as {@code systemd-repart --make-ddi=sysext} makes) — a root or /usr partition for x86-64, maybe its dm-verity
 * hash partition, maybe a verity signature partition (a JSON object: rootHash, certificateFingerprint, signature).
 * That is what an image policy judges: the data partition is {@code unprotected}, {@code verity}, or {@code signed}
 * (whether the signature is trusted is the node's business, not the file's).
 *
 * @param layout     what the file is
 * @param fileSystem the data's file system ("squashfs", "erofs", or "unknown"), null when the layout is UNKNOWN
 * @param partitions a DDI's partitions, in table order (empty otherwise)
 * @param signature  a DDI's verity signature, or null
 */
public record DiskImage(Layout layout, String fileSystem, List<Partition> partitions, Signature signature) {
    private static final byte[] SQUASHFS_MAGIC = "hsqs".getBytes(StandardCharsets.US_ASCII);
    private static final int EROFS_MAGIC = 0xE0F5E1E2;
    private static final int EROFS_SUPER_OFFSET = 1024;

    /** x86-64 partition types of the Discoverable Partitions Specification (the only architecture nodes run here). */
    private static final Map<String, Role> TYPES = Map.of(
            "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", new Role("root", Part.DATA),
            "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", new Role("root", Part.VERITY),
            "41092b05-9fc8-4523-994f-2def0408b176", new Role("root", Part.SIGNATURE),
            "8484680c-9521-48c6-9c11-b0720656f69e", new Role("usr", Part.DATA),
            "77ff5f63-e7b6-4633-acf4-1565b864c0e6", new Role("usr", Part.VERITY),
            "e7bb33fb-06cf-4e81-8273-e543b413e2e2", new Role("usr", Part.SIGNATURE));

    public enum Layout {
        /** A squashfs with no partition table: what mksquashfs makes. */
        SQUASHFS,
        /** An erofs with no partition table. */
        EROFS,
        /** A GPT disk image with a root or /usr partition. */
        DDI,
        /** None of these. */
        UNKNOWN
    }

    /** What a data partition's protection is called in an image policy (man systemd.image-policy). */
    public enum Protection {
        UNPROTECTED, VERITY, SIGNED;

        public String policyWord() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum Part { DATA, VERITY, SIGNATURE }

    record Role(String designator, Part part) {
    }

    /**
     * One GPT entry: {@code designator} ("root", "usr") and {@code role} ("data", "verity", "signature") for the
     * types a sysext reads, null for any other type.
     */
    public record Partition(int number, String type, String designator, String role, String label, long offset, long size) {
        boolean is(String designator, Part part) {
            return designator.equals(this.designator) && part.name().toLowerCase(Locale.ROOT).equals(role);
        }
    }

    /**
     * A verity signature partition's JSON: the root hash it signs, the SHA-256 fingerprint of the signing certificate
     * (hex, as systemd-repart writes it), and whether a PKCS#7 signature is there at all.
     */
    public record Signature(String designator, String rootHash, String certificateFingerprint, boolean hasSignature) {
    }

    /** Reads {@code file}'s first bytes and, for a DDI, its partition table and signature partition. */
    public static DiskImage read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String fs = fileSystemAt(ch, 0);
            if (fs.equals("squashfs")) {
                return new DiskImage(Layout.SQUASHFS, fs, List.of(), null);
            }
            if (fs.equals("erofs")) {
                return new DiskImage(Layout.EROFS, fs, List.of(), null);
            }
            for (int sector : new int[] {512, 4096}) {
                if (ch.size() >= 2L * sector && "EFI PART".equals(ascii(read(ch, sector, 8)))) {
                    return ddi(ch, sector);
                }
            }
            return new DiskImage(Layout.UNKNOWN, null, List.of(), null);
        }
    }

    private static DiskImage ddi(FileChannel ch, int sector) throws IOException {
        ByteBuffer header = read(ch, sector, 92);
        long entriesLba = header.getLong(72);
        int count = header.getInt(80);
        int entrySize = header.getInt(84);
        if (count <= 0 || count > 1024 || entrySize < 128 || entrySize > 4096) {
            return new DiskImage(Layout.UNKNOWN, null, List.of(), null);
        }
        ByteBuffer table = read(ch, entriesLba * sector, count * entrySize);
        List<Partition> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = i * entrySize;
            String type = guid(table, at);
            if (type.equals("00000000-0000-0000-0000-000000000000")) {
                continue;
            }
            long first = table.getLong(at + 32);
            long last = table.getLong(at + 40);
            byte[] name = new byte[72];
            table.get(at + 56, name);
            String label = new String(name, StandardCharsets.UTF_16LE).replace("\0", "");
            Role role = TYPES.get(type);
            parts.add(new Partition(i + 1, type, role == null ? null : role.designator(),
                    role == null ? null : role.part().name().toLowerCase(Locale.ROOT), label, first * sector, (last - first + 1) * sector));
        }
        Partition data = dataOf(parts);
        if (data == null) {
            return new DiskImage(Layout.UNKNOWN, null, List.copyOf(parts), null);
        }
        Signature signature = null;
        for (Partition p : parts) {
            if (p.is(data.designator(), Part.SIGNATURE)) {
                signature = signature(ch, p);
            }
        }
        return new DiskImage(Layout.DDI, fileSystemAt(ch, data.offset()), List.copyOf(parts), signature);
    }

    private static Signature signature(FileChannel ch, Partition p) throws IOException {
        int length = (int) Math.min(p.size(), 1 << 20);
        String text = ascii(read(ch, p.offset(), length));
        int end = text.indexOf('\0');
        text = (end < 0 ? text : text.substring(0, end)).strip();
        try {
            JsonNode json = Json.mapper().readTree(text);
            return new Signature(p.designator(), json.path("rootHash").asText(null), json.path("certificateFingerprint").asText(null),
                    !json.path("signature").asText("").isEmpty());
        } catch (IOException e) {
            // a signature partition whose JSON cannot be read signs nothing
            return new Signature(p.designator(), null, null, false);
        }
    }

    /** The data partition (a DDI's root or /usr partition), or null for a naked file system. */
    public Partition data() {
        return dataOf(partitions);
    }

    /** systemd-sysext takes the root partition, else /usr (man systemd-sysext: "a root or /usr/ partition"). */
    private static Partition dataOf(List<Partition> parts) {
        return parts.stream().filter(p -> p.is("root", Part.DATA)).findFirst()
                .or(() -> parts.stream().filter(p -> p.is("usr", Part.DATA)).findFirst()).orElse(null);
    }

    /** Whether the data partition has its dm-verity hash partition beside it. */
    public boolean hasVerity() {
        Partition d = data();
        return d != null && partitions.stream().anyMatch(p -> p.is(d.designator(), Part.VERITY));
    }

    /** The protection an image policy sees; UNPROTECTED for a naked file system or a DDI without verity. */
    public Protection protection() {
        if (layout != Layout.DDI || !hasVerity()) {
            return Protection.UNPROTECTED;
        }
        return signature != null && signature.hasSignature() ? Protection.SIGNED : Protection.VERITY;
    }

    /** The designator an image policy judges the image by: "root" for a naked file system (man systemd.image-policy). */
    public String designator() {
        Partition d = data();
        return d == null ? "root" : d.designator();
    }

    /** In a few words, for the report: "erofs DDI, root partition with verity, signed by 3f2a…". */
    public String describe() {
        return switch (layout) {
            case SQUASHFS, EROFS -> "a naked " + fileSystem + " (no partition table, no verity)";
            case UNKNOWN -> "no squashfs, erofs or GPT disk image";
            case DDI -> fileSystem + " DDI, " + designator() + " partition" + (hasVerity() ? " with verity" : " without verity")
                    + (protection() == Protection.SIGNED ? ", signed by certificate " + signature.certificateFingerprint()
                    : signature != null ? ", with a signature partition that holds no signature" : "");
        };
    }

    private static String fileSystemAt(FileChannel ch, long offset) throws IOException {
        if (ch.size() >= offset + 4 && java.util.Arrays.equals(read(ch, offset, 4).array(), SQUASHFS_MAGIC)) {
            return "squashfs";
        }
        if (ch.size() >= offset + EROFS_SUPER_OFFSET + 4 && read(ch, offset + EROFS_SUPER_OFFSET, 4).getInt(0) == EROFS_MAGIC) {
            return "erofs";
        }
        return "unknown";
    }

    /** A GPT GUID at {@code at}: the first three fields little-endian, the rest as stored. */
    private static String guid(ByteBuffer b, int at) {
        return String.format("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", b.getInt(at), b.getShort(at + 4), b.getShort(at + 6),
                b.get(at + 8), b.get(at + 9), b.get(at + 10), b.get(at + 11), b.get(at + 12), b.get(at + 13), b.get(at + 14), b.get(at + 15));
    }

    private static String ascii(ByteBuffer b) {
        return new String(b.array(), 0, b.limit(), StandardCharsets.US_ASCII);
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        return GptCheck.read(ch, at, length);
    }
}
