package dev.sysextharness.sysext;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The smallest x86-64 ELF files the dynamic loader treats like any other: a program that needs libraries (DT_NEEDED,
 * found through DT_RUNPATH) and, once the loader has found them all, writes a line and exits 0; and a shared library
 * with a soname and nothing in it. A scenario ships them in an extension to see which programs start when libraries
 * lie outside the merged hierarchies — written here, byte by byte, so no compiler is needed on the host or the node.
 * The loader refuses to start the program (exit 127, "error while loading shared libraries") when one is missing.
 */
public final class ElfFixture {
    /** The x86-64 ABI's loader path: present on every flavor the harness boots. */
    public static final String X86_64_INTERPRETER = "/lib64/ld-linux-x86-64.so.2";

    private static final int EHDR = 64;
    private static final int PHDR = 56;
    private static final long PROGRAM_BASE = 0x400000;

    private ElfFixture() {
    }

    /** A program (ET_EXEC) that needs {@code needed}, looks in {@code runpath} first (null: none), and prints {@code line}. */
    public static byte[] program(String line, List<String> needed, String runpath) {
        return build(true, line, needed, runpath, null);
    }

    /** A shared library (ET_DYN) named {@code soname}, with no symbols and no dependencies. */
    public static byte[] library(String soname) {
        return build(false, null, List.of(), null, soname);
    }

    private static byte[] build(boolean program, String line, List<String> needed, String runpath, String soname) {
        long base = program ? PROGRAM_BASE : 0;
        int phnum = program ? 4 : 2;
        int at = EHDR + phnum * PHDR;
        byte[] interp = program ? (X86_64_INTERPRETER + "\0").getBytes(StandardCharsets.US_ASCII) : new byte[0];
        int interpAt = at;
        at += interp.length;

        // .dynstr: index 0 is the empty string
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        List<long[]> dynamic = new ArrayList<>();
        for (String n : needed) {
            dynamic.add(new long[] {ElfDynamic.DT_NEEDED, addString(strtab, n)});
        }
        if (runpath != null) {
            dynamic.add(new long[] {ElfDynamic.DT_RUNPATH, addString(strtab, runpath)});
        }
        if (soname != null) {
            dynamic.add(new long[] {DT_SONAME, addString(strtab, soname)});
        }
        int strAt = at;
        at += strtab.size();
        at = align(at, 8);
        int symAt = at; // one null symbol
        at += 24;
        int hashAt = at; // nbucket 1, nchain 1, bucket[0] 0, chain[0] 0
        at += 16;
        dynamic.add(new long[] {ElfDynamic.DT_STRTAB, base + strAt});
        dynamic.add(new long[] {ElfDynamic.DT_STRSZ, strtab.size()});
        dynamic.add(new long[] {DT_SYMTAB, base + symAt});
        dynamic.add(new long[] {DT_SYMENT, 24});
        dynamic.add(new long[] {DT_HASH, base + hashAt});
        dynamic.add(new long[] {ElfDynamic.DT_NULL, 0});
        int dynAt = at;
        int dynSize = dynamic.size() * 16;
        at += dynSize;

        byte[] message = line == null ? new byte[0] : (line + "\n").getBytes(StandardCharsets.UTF_8);
        int codeAt = at;
        int codeSize = program ? 36 : 0;
        at += codeSize;
        int messageAt = at;
        at += message.length;
        int total = at;

        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        b.putShort((short) (program ? 2 : ElfDynamic.ET_DYN)).putShort((short) ElfDynamic.EM_X86_64).putInt(1);
        b.putLong(program ? base + codeAt : 0).putLong(EHDR).putLong(0).putInt(0);
        b.putShort((short) EHDR).putShort((short) PHDR).putShort((short) phnum).putShort((short) 64).putShort((short) 0)
                .putShort((short) 0);
        if (program) {
            phdr(b, PT_PHDR, 4, EHDR, base + EHDR, (long) phnum * PHDR, 8);
            phdr(b, ElfDynamic.PT_INTERP, 4, interpAt, base + interpAt, interp.length, 1);
        }
        phdr(b, ElfDynamic.PT_LOAD, 7, 0, base, total, 0x1000);
        phdr(b, ElfDynamic.PT_DYNAMIC, 6, dynAt, base + dynAt, dynSize, 8);
        b.put(interpAt, interp);
        b.put(strAt, strtab.toByteArray());
        b.putInt(hashAt, 1).putInt(hashAt + 4, 1);
        for (int i = 0; i < dynamic.size(); i++) {
            b.putLong(dynAt + i * 16, dynamic.get(i)[0]).putLong(dynAt + i * 16 + 8, dynamic.get(i)[1]);
        }
        if (program) {
            ByteBuffer code = ByteBuffer.allocate(codeSize).order(ByteOrder.LITTLE_ENDIAN);
            code.put(new byte[] {(byte) 0xb8, 1, 0, 0, 0}); // mov eax, 1 (write)
            code.put(new byte[] {(byte) 0xbf, 1, 0, 0, 0}); // mov edi, 1 (stdout)
            code.put(new byte[] {0x48, (byte) 0xbe}).putLong(base + messageAt); // movabs rsi, message
            code.put((byte) 0xba).putInt(message.length); // mov edx, length
            code.put(new byte[] {0x0f, 0x05}); // syscall
            code.put(new byte[] {(byte) 0xb8, 60, 0, 0, 0}); // mov eax, 60 (exit)
            code.put(new byte[] {0x31, (byte) 0xff}); // xor edi, edi
            code.put(new byte[] {0x0f, 0x05}); // syscall
            b.put(codeAt, code.array());
            b.put(messageAt, message);
        }
        return b.array();
    }

    private static final int PT_PHDR = 6;
    private static final long DT_HASH = 4;
    private static final long DT_SYMTAB = 6;
    private static final long DT_SYMENT = 11;
    private static final long DT_SONAME = 14;

    private static void phdr(ByteBuffer b, int type, int flags, long offset, long vaddr, long size, long align) {
        b.putInt(type).putInt(flags).putLong(offset).putLong(vaddr).putLong(vaddr).putLong(size).putLong(size).putLong(align);
    }

    private static long addString(ByteArrayOutputStream strtab, String s) {
        long at = strtab.size();
        strtab.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_8));
        return at;
    }

    private static int align(int at, int to) {
        return (at + to - 1) / to * to;
    }
}
