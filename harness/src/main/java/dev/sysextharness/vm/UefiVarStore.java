package dev.sysextharness.vm;

import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An edk2 (OVMF) variable store file — the {@code OVMF_VARS*.fd} a machine's second pflash holds — read and written
 * here, so a node's firmware can carry a {@code db} with the run's certificate without a tool Debian 12 lacks
 * (trixie's {@code virt-fw-vars} does the same). The layout: a firmware volume header (signature {@code _FVH}), an
 * authenticated variable store header, then variables one after another, each on a 4-byte boundary, the free space
 * 0xFF. Only what a firmware reads at boot is written: a variable marked added, its attributes, its timestamp.
 */
public final class UefiVarStore {
    /** EFI_IMAGE_SECURITY_DATABASE_GUID: the vendor of db, dbx. */
    public static final UUID IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
    /** EFI_CERT_X509_GUID: a signature list of DER certificates. */
    public static final UUID CERT_X509 = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    /** The signature owner the harness writes into the entries it adds. */
    public static final UUID HARNESS_OWNER = UUID.fromString("9c1f0a3e-4b2d-4f3b-9a41-5d6c7e8f9a0b");
    static final UUID NV_STORAGE_FV = UUID.fromString("fff12b8d-7696-4c8b-a985-2747075b4f50");
    static final UUID AUTHENTICATED_VARIABLE_STORE = UUID.fromString("aaf32c78-947b-439a-a180-2e144ec37792");

    /** NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS | TIME_BASED_AUTHENTICATED_WRITE_ACCESS: how db is kept. */
    public static final int DB_ATTRIBUTES = 0x27;
    private static final int VAR_ADDED = 0x3F;
    private static final int START_ID = 0x55AA;
    private static final int HEADER = 60; // AUTHENTICATED_VARIABLE_HEADER

    /** One variable as the store holds it. */
    public record Variable(String name, UUID vendor, int attributes, LocalDateTime time, byte[] data) {
    }

    private final String source;
    private final byte[] bytes;
    private final int storeAt;
    private final int storeSize;
    private final List<Variable> variables;
    private final int freeAt;

    private UefiVarStore(String source, byte[] bytes) {
        this.source = source;
        this.bytes = bytes;
        ByteBuffer b = le(bytes);
        if (bytes.length < 0x48 + 28 || b.getInt(40) != 0x4856465F /* _FVH */) {
            throw bad("no firmware volume header (_FVH at offset 40)");
        }
        if (!guid(b, 16).equals(NV_STORAGE_FV)) {
            throw bad("its firmware volume is not an NV variable store (" + guid(b, 16) + ")");
        }
        storeAt = Short.toUnsignedInt(b.getShort(48));
        if (!guid(b, storeAt).equals(AUTHENTICATED_VARIABLE_STORE)) {
            throw bad("its variable store is not an authenticated one (" + guid(b, storeAt) + ")");
        }
        storeSize = b.getInt(storeAt + 16);
        if (Byte.toUnsignedInt(b.get(storeAt + 20)) != 0x5A || Byte.toUnsignedInt(b.get(storeAt + 21)) != 0xFE
                || storeAt + storeSize > bytes.length) {
            throw bad("its variable store header is not formatted and healthy");
        }
        List<Variable> found = new ArrayList<>();
        int at = storeAt + 28;
        while (at + HEADER <= storeAt + storeSize && Short.toUnsignedInt(b.getShort(at)) == START_ID) {
            int nameSize = b.getInt(at + 36);
            int dataSize = b.getInt(at + 40);
            int end = at + HEADER + nameSize + dataSize;
            if (nameSize < 2 || dataSize < 0 || end > storeAt + storeSize) {
                throw bad("a variable at offset " + at + " runs past the store");
            }
            if (Byte.toUnsignedInt(b.get(at + 2)) == VAR_ADDED) {
                String name = new String(bytes, at + HEADER, nameSize - 2, StandardCharsets.UTF_16LE);
                byte[] data = java.util.Arrays.copyOfRange(bytes, end - dataSize, end);
                found.add(new Variable(name, guid(b, at + 44), b.getInt(at + 4), time(b, at + 16), data));
            }
            at = (end + 3) & ~3;
        }
        variables = List.copyOf(found);
        freeAt = at;
    }

    /** The store in {@code file}; a file that is none fails with one line naming it. */
    public static UefiVarStore read(Path file) {
        try {
            return new UefiVarStore(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read the UEFI variable store " + file + ": " + e.getMessage());
        }
    }

    /** The variables marked added, in the store's order. */
    public List<Variable> variables() {
        return variables;
    }

    /**
     * This store with {@code db} holding one X.509 certificate ({@code der}) owned by {@code owner}; a store that has a
     * db already is refused rather than merged.
     */
    public UefiVarStore withDb(byte[] der, UUID owner, LocalDateTime time) {
        if (variables.stream().anyMatch(v -> v.name().equals("db") && v.vendor().equals(IMAGE_SECURITY_DATABASE))) {
            throw new ConfigException(source + ": already has a db; start from the firmware's empty variable store");
        }
        ByteBuffer list = le(new byte[28 + 16 + der.length]); // EFI_SIGNATURE_LIST with one EFI_SIGNATURE_DATA
        putGuid(list, 0, CERT_X509);
        list.putInt(16, list.capacity()).putInt(20, 0).putInt(24, 16 + der.length);
        putGuid(list, 28, owner);
        list.put(44, der);
        return with(new Variable("db", IMAGE_SECURITY_DATABASE, DB_ATTRIBUTES, time, list.array()));
    }

    private UefiVarStore with(Variable v) {
        byte[] name = (v.name() + "\0").getBytes(StandardCharsets.UTF_16LE);
        int size = HEADER + name.length + v.data().length;
        if (freeAt + size > storeAt + storeSize) {
            throw new ConfigException(source + ": no room for variable " + v.name() + " (" + size + " bytes)");
        }
        byte[] out = bytes.clone();
        ByteBuffer b = le(out);
        b.putShort(freeAt, (short) START_ID).put(freeAt + 2, (byte) VAR_ADDED).put(freeAt + 3, (byte) 0)
                .putInt(freeAt + 4, v.attributes()).putLong(freeAt + 8, 0);
        putTime(b, freeAt + 16, v.time());
        b.putInt(freeAt + 32, 0).putInt(freeAt + 36, name.length).putInt(freeAt + 40, v.data().length);
        putGuid(b, freeAt + 44, v.vendor());
        b.put(freeAt + HEADER, name).put(freeAt + HEADER + name.length, v.data());
        return new UefiVarStore(source, out);
    }

    /** The store's bytes, written whole to a temporary file beside {@code to}, then renamed over it. */
    public void write(Path to) {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConfigException("cannot write the UEFI variable store " + to + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing left to tidy that matters
            }
        }
    }

    byte[] bytes() {
        return bytes.clone();
    }

    private ConfigException bad(String why) {
        return new ConfigException(source + " is no edk2 variable store: " + why);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An EFI_GUID: three little-endian fields, then eight bytes as they are. */
    static UUID guid(ByteBuffer b, int at) {
        long hi = (Integer.toUnsignedLong(b.getInt(at)) << 32) | (Short.toUnsignedLong(b.getShort(at + 4)) << 16)
                | Short.toUnsignedLong(b.getShort(at + 6));
        long lo = b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
        return new UUID(hi, lo);
    }

    static void putGuid(ByteBuffer b, int at, UUID u) {
        long hi = u.getMostSignificantBits();
        b.putInt(at, (int) (hi >>> 32)).putShort(at + 4, (short) (hi >>> 16)).putShort(at + 6, (short) hi);
        b.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(at + 8, u.getLeastSignificantBits());
    }

    /** An EFI_TIME: year, month, day, hour, minute, second, pad, nanosecond, time zone, daylight, pad. */
    private static LocalDateTime time(ByteBuffer b, int at) {
        int year = Short.toUnsignedInt(b.getShort(at));
        if (year == 0) {
            return null;
        }
        return LocalDateTime.of(year, b.get(at + 2), b.get(at + 3), b.get(at + 4), b.get(at + 5), b.get(at + 6), b.getInt(at + 8));
    }

    private static void putTime(ByteBuffer b, int at, LocalDateTime t) {
        for (int i = 0; i < 16; i++) {
            b.put(at + i, (byte) 0);
        }
        if (t != null) {
            b.putShort(at, (short) t.getYear()).put(at + 2, (byte) t.getMonthValue()).put(at + 3, (byte) t.getDayOfMonth())
                    .put(at + 4, (byte) t.getHour()).put(at + 5, (byte) t.getMinute()).put(at + 6, (byte) t.getSecond())
                    .putInt(at + 8, t.getNano());
        }
    }
}
