package dev.sysextharness.vm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The accelerator probe's whole userspace: an initramfs (newc cpio) holding {@code /dev/console} and an
 * {@code /init} of 200 bytes of x86-64 machine code that writes {@link #MARKER} to its console and powers the machine
 * off. Made here, byte by byte, so the probe needs nothing from the host but QEMU and a kernel. A guest that prints
 * the marker ran the kernel's boot, switched to long mode, and executed a user process: everything a node does first.
 */
final class ProbeInitramfs {
    static final String MARKER = "sysext-harness-probe: init ran";

    private ProbeInitramfs() {
    }

    static byte[] cpio() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, "dev", 0040755, new byte[0], 0, 0);
        entry(out, "dev/console", 0020600, new byte[0], 5, 1); // the kernel opens it as init's stdin, stdout, stderr
        entry(out, "init", 0100755, init(), 0, 0);
        entry(out, "TRAILER!!!", 0, new byte[0], 0, 0);
        return out.toByteArray();
    }

    /** A static ELF64 executable: write(1, MARKER "\n"); reboot(LINUX_REBOOT_MAGIC1, MAGIC2, POWER_OFF); spin. */
    static byte[] init() {
        byte[] message = (MARKER + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer code = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        code.put((byte) 0xB8).putInt(1);                       // mov eax, 1 (write)
        code.put((byte) 0xBF).putInt(1);                       // mov edi, 1 (stdout: the console)
        int lea = code.position();
        code.put(new byte[] {0x48, (byte) 0x8D, 0x35}).putInt(0); // lea rsi, [rip + message], patched below
        code.put((byte) 0xBA).putInt(message.length);          // mov edx, length
        code.put(new byte[] {0x0F, 0x05});                     // syscall
        code.put((byte) 0xB8).putInt(169);                     // mov eax, 169 (reboot)
        code.put((byte) 0xBF).putInt(0xFEE1DEAD);              // mov edi, LINUX_REBOOT_MAGIC1
        code.put((byte) 0xBE).putInt(0x28121969);              // mov esi, LINUX_REBOOT_MAGIC2
        code.put((byte) 0xBA).putInt(0x4321FEDC);              // mov edx, LINUX_REBOOT_CMD_POWER_OFF
        code.put(new byte[] {0x0F, 0x05});                     // syscall
        code.put(new byte[] {(byte) 0xEB, (byte) 0xFE});       // jmp $ (never reached)
        code.putInt(lea + 3, code.position() - (lea + 7));
        code.put(message);
        int codeLength = code.position();

        long base = 0x400000;
        int headers = 64 + 56;
        ByteBuffer elf = ByteBuffer.allocate(headers + codeLength).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]); // 64-bit, little-endian, version 1
        elf.putShort((short) 2).putShort((short) 0x3E).putInt(1);                // ET_EXEC, x86-64, version
        elf.putLong(base + headers).putLong(64).putLong(0);                    // entry, program headers, no sections
        elf.putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1) // flags, sizes, one program header
                .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        elf.putInt(1).putInt(5)                                                // PT_LOAD, read + execute
                .putLong(0).putLong(base).putLong(base)                        // the whole file at base
                .putLong(headers + codeLength).putLong(headers + codeLength).putLong(0x1000);
        elf.put(code.array(), 0, codeLength);
        return elf.array();
    }

    private static void entry(ByteArrayOutputStream out, String name, int mode, byte[] data, int rdevMajor, int rdevMinor) {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        StringBuilder header = new StringBuilder("070701");
        for (int field : new int[] {0, mode, 0, 0, 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0}) {
            header.append(String.format("%08X", field));
        }
        out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(nameBytes);
        pad(out);
        out.writeBytes(data);
        pad(out);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
