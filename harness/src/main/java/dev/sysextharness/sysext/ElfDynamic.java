package dev.sysextharness.sysext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the dynamic loader reads from an ELF file before it runs a line of it: the interpreter (PT_INTERP), the
 * libraries it needs (DT_NEEDED), and where it asks for them first (DT_RPATH, DT_RUNPATH). Read from the bytes the
 * extension ships, so the oracle can say which binary will not start before anything is merged. 64-bit little-endian
 * files only (x86-64 and aarch64, what Kairos ships); anything else is "not an ELF file this reads".
 */
public record ElfDynamic(int machine, String interpreter, List<String> needed, List<String> rpath, List<String> runpath,
        boolean sharedObject) {
    public static final int EM_X86_64 = 0x3e;
    public static final int EM_AARCH64 = 0xb7;
    static final int PT_LOAD = 1;
    static final int PT_DYNAMIC = 2;
    static final int PT_INTERP = 3;
    static final long DT_NULL = 0;
    static final long DT_NEEDED = 1;
    static final long DT_STRTAB = 5;
    static final long DT_STRSZ = 10;
    static final long DT_RPATH = 15;
    static final long DT_RUNPATH = 29;
    static final int ET_DYN = 3;

    /** Whether {@code head} (at least the first 6 bytes of a file) starts a 64-bit little-endian ELF file. */
    public static boolean isElf64LittleEndian(byte[] head) {
        return head.length >= 6 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F' && head[4] == 2
                && head[5] == 1;
    }

    /** The loader's view of {@code bytes}, or empty when they are not a 64-bit little-endian ELF file. */
    public static Optional<ElfDynamic> read(byte[] bytes) {
        if (bytes.length < 64 || !isElf64LittleEndian(bytes)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)));
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("a truncated or malformed ELF file: " + e.getMessage(), e);
        }
    }

    private static ElfDynamic parse(ByteBuffer b) {
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        String interpreter = null;
        long dynOffset = -1;
        long dynSize = 0;
        List<long[]> loads = new ArrayList<>(); // {vaddr, offset, filesz}
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            int ptype = b.getInt(ph);
            long offset = b.getLong(ph + 8);
            long vaddr = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            if (ptype == PT_INTERP) {
                interpreter = cString(b, Math.toIntExact(offset), Math.toIntExact(offset + filesz));
            } else if (ptype == PT_DYNAMIC) {
                dynOffset = offset;
                dynSize = filesz;
            } else if (ptype == PT_LOAD) {
                loads.add(new long[] {vaddr, offset, filesz});
            }
        }
        List<Long> neededAt = new ArrayList<>();
        List<Long> rpathAt = new ArrayList<>();
        List<Long> runpathAt = new ArrayList<>();
        long strtab = -1;
        long strsz = 0;
        for (long e = dynOffset; dynOffset >= 0 && e + 16 <= dynOffset + dynSize; e += 16) {
            long tag = b.getLong(Math.toIntExact(e));
            long val = b.getLong(Math.toIntExact(e + 8));
            if (tag == DT_NULL) {
                break;
            } else if (tag == DT_NEEDED) {
                neededAt.add(val);
            } else if (tag == DT_RPATH) {
                rpathAt.add(val);
            } else if (tag == DT_RUNPATH) {
                runpathAt.add(val);
            } else if (tag == DT_STRTAB) {
                strtab = val;
            } else if (tag == DT_STRSZ) {
                strsz = val;
            }
        }
        List<String> needed = new ArrayList<>();
        List<String> rpath = new ArrayList<>();
        List<String> runpath = new ArrayList<>();
        if (strtab >= 0) {
            long strOffset = fileOffset(loads, strtab);
            int end = Math.toIntExact(Math.min(b.limit(), strOffset + strsz));
            for (long at : neededAt) {
                needed.add(cString(b, Math.toIntExact(strOffset + at), end));
            }
            for (long at : rpathAt) {
                rpath.addAll(dirs(cString(b, Math.toIntExact(strOffset + at), end)));
            }
            for (long at : runpathAt) {
                runpath.addAll(dirs(cString(b, Math.toIntExact(strOffset + at), end)));
            }
        } else if (!neededAt.isEmpty()) {
            throw new IllegalArgumentException("DT_NEEDED without DT_STRTAB");
        }
        return new ElfDynamic(machine, interpreter, List.copyOf(needed), List.copyOf(rpath), List.copyOf(runpath), type == ET_DYN);
    }

    /** The file offset of a virtual address, through the PT_LOAD segment that maps it. */
    private static long fileOffset(List<long[]> loads, long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) {
                return vaddr - l[0] + l[1];
            }
        }
        throw new IllegalArgumentException("address 0x" + Long.toHexString(vaddr) + " is in no loaded segment");
    }

    private static String cString(ByteBuffer b, int from, int limit) {
        int end = from;
        while (end < limit && b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - from];
        b.get(from, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static List<String> dirs(String path) {
        return Arrays.stream(path.split(":")).filter(d -> !d.isEmpty()).toList();
    }

    /** The loader that lists this file's libraries: its own interpreter, or the ABI's for a shared library. */
    public String loader() {
        if (interpreter != null) {
            return interpreter;
        }
        return machine == EM_AARCH64 ? "/lib/ld-linux-aarch64.so.1" : ElfFixture.X86_64_INTERPRETER;
    }

    /** How ldconfig -p names this file's architecture in its flags ("libc6,x86-64"). */
    public String cacheArchitecture() {
        return machine == EM_AARCH64 ? "AArch64" : "x86-64";
    }

    /** True when the loader has to find something for this file before it runs. */
    public boolean needsLibraries() {
        return !needed.isEmpty();
    }
}
