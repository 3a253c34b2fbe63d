package dev.sysextharness.image;

import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * A reference image's kernel and initramfs unpacked once on the host, so a node does not unpack them on every boot.
 * Under TCG the guest spent 5–7 s before its first serial byte decompressing Debian's xz bzImage, and about a second
 * gunzipping the initramfs (measured on debian-12 here: first byte after 7.7 s with vmlinuz, 0.65 s with the ELF
 * vmlinux through QEMU's PVH entry; boot to login 50.8 s → 37.9 s). QEMU boots an ELF vmlinux directly only when it
 * carries the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, Debian's kernels have CONFIG_PVH); without it, or when the
 * payload's compression has no decompressor here, the image keeps booting its bzImage and says why.
 */
public final class DirectKernel {
    /** The unpacked kernel and initramfs, beside vmlinuz and initrd.img in the image's directory. */
    public static final String VMLINUX = "vmlinux";
    public static final String INITRD_CPIO = "initrd.cpio";
    /** Part of a reference image's cache key: raise it when what {@link #unpack} makes changes. */
    public static final String VERSION = "2";

    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] GZIP = {0x1f, (byte) 0x8b, 0x08};
    private static final int PT_NOTE = 4;
    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    private DirectKernel() {
    }

    /** Writes vmlinux and initrd.cpio into {@code dir} where it can; returns what it did, for the build's log. */
    public static String unpack(Path dir, Progress progress) throws IOException {
        StringBuilder said = new StringBuilder();
        Optional<byte[]> vmlinux = vmlinux(Files.readAllBytes(dir.resolve("vmlinuz")), said);
        if (vmlinux.isPresent()) {
            Files.write(dir.resolve(VMLINUX), vmlinux.get());
        }
        byte[] initrd = Files.readAllBytes(dir.resolve("initrd.img"));
        int compressedAt = plainCpioEnd(initrd);
        byte[] rest = null;
        if (startsWith(initrd, compressedAt, GZIP)) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(initrd, compressedAt, initrd.length - compressedAt), 1 << 16)) {
                rest = in.readAllBytes();
            }
        } else if (startsWith(initrd, compressedAt, ZSTD)) {
            rest = external(List.of("zstd", "-dc"), initrd, compressedAt);
        } else if (startsWith(initrd, compressedAt, XZ)) {
            rest = external(List.of("xz", "-dc"), initrd, compressedAt);
        }
        if (rest != null) {
            try (OutputStream out = Files.newOutputStream(dir.resolve(INITRD_CPIO))) {
                out.write(initrd, 0, compressedAt);
                out.write(rest);
            }
            said.append("; initramfs: ").append(compressedAt == 0 ? "" : compressedAt + " plain bytes kept, ")
                    .append("the compressed rest unpacked to ").append(INITRD_CPIO);
        } else {
            said.append("; initramfs: no compressed archive this host unpacks after byte ").append(compressedAt)
                    .append(", booted as it is");
        }
        progress.step("  direct boot: " + said);
        return said.toString();
    }

    /**
     * Where the uncompressed cpio archives at the start of an initramfs end (0 when it starts compressed): Debian's
     * trixie puts a plain archive before the zstd one, and the kernel reads the concatenation.
     */
    static int plainCpioEnd(byte[] data) {
        int pos = 0;
        while (startsWith(data, pos, "070701".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            boolean trailer = false;
            while (!trailer && pos + 110 <= data.length) {
                String header = new String(data, pos, 110, java.nio.charset.StandardCharsets.US_ASCII);
                if (!header.startsWith("070701")) {
                    return pos;
                }
                int fileSize = Integer.parseUnsignedInt(header.substring(54, 62), 16);
                int nameSize = Integer.parseUnsignedInt(header.substring(94, 102), 16);
                trailer = new String(data, pos + 110, Math.max(0, nameSize - 1), java.nio.charset.StandardCharsets.US_ASCII)
                        .equals("TRAILER!!!");
                pos = align4(pos + 110 + nameSize);
                pos = align4(pos + fileSize);
            }
            while (pos < data.length && data[pos] == 0) {
                pos++;
            }
        }
        return pos;
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    /** The ELF kernel inside a bzImage, when it has a PVH entry; {@code said} gets the reason either way. */
    static Optional<byte[]> vmlinux(byte[] bzImage, StringBuilder said) throws IOException {
        for (int i = 0; i + 6 <= bzImage.length; i++) {
            byte[] payload = null;
            if (startsWith(bzImage, i, XZ)) {
                payload = external(List.of("xz", "-dc", "--single-stream"), bzImage, i);
            } else if (startsWith(bzImage, i, ZSTD)) {
                payload = external(List.of("zstd", "-dc"), bzImage, i);
            } else if (startsWith(bzImage, i, GZIP)) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bzImage, i, bzImage.length - i))) {
                    payload = in.readAllBytes();
                } catch (IOException e) {
                    payload = null;
                }
            }
            if (payload != null && hasPvhEntry(payload)) {
                said.append("kernel: the ELF vmlinux at offset ").append(i).append(" of vmlinuz, PVH entry");
                return Optional.of(payload);
            }
        }
        said.append("kernel: no ELF payload with a PVH entry found in vmlinuz, booted as a bzImage");
        return Optional.empty();
    }

    /** The decompressor's output of {@code data} from {@code offset}, or null when it is not on this host or fails. */
    private static byte[] external(List<String> command, byte[] data, int offset) {
        try {
            Path in = Files.createTempFile("sxh-kernel", ".payload");
            try {
                Files.write(in, java.util.Arrays.copyOfRange(data, offset, data.length));
                Path out = Files.createTempFile("sxh-kernel", ".elf");
                try {
                    Process p = OwnedProcesses.start(new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                            .redirectError(ProcessBuilder.Redirect.DISCARD));
                    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                        OwnedProcesses.end(p, 1000);
                        return null;
                    }
                    // xz and zstd complain about the bytes after the stream (exit 1/2) but have written the stream by then
                    byte[] result = Files.readAllBytes(out);
                    return result.length > 0 ? result : null;
                } finally {
                    Files.deleteIfExists(out);
                }
            } finally {
                Files.deleteIfExists(in);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A 64-bit little-endian ELF file with a Xen PHYS32_ENTRY note: what QEMU's -kernel boots without a decompressor. */
    static boolean hasPvhEntry(byte[] elf) {
        if (elf.length < 64 || !startsWith(elf, 0, new byte[] {0x7f, 'E', 'L', 'F', 2, 1})) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * phentsize;
            if (ph + 56 > elf.length || b.getInt((int) ph) != PT_NOTE) {
                continue;
            }
            long at = b.getLong((int) ph + 8);
            long end = at + b.getLong((int) ph + 32);
            while (at + 12 <= end && end <= elf.length) {
                int namesz = b.getInt((int) at);
                int descsz = b.getInt((int) at + 4);
                int type = b.getInt((int) at + 8);
                String name = new String(elf, (int) at + 12, Math.max(0, namesz - 1), java.nio.charset.StandardCharsets.US_ASCII);
                if (name.equals("Xen") && type == XEN_ELFNOTE_PHYS32_ENTRY) {
                    return true;
                }
                at += 12 + align4(namesz) + align4(descsz);
            }
        }
        return false;
    }

    private static long align4(long n) {
        return (n + 3L) & ~3L;
    }

    private static boolean startsWith(byte[] data, int offset, byte[] magic) {
        if (offset + magic.length > data.length) {
            return false;
        }
        for (int j = 0; j < magic.length; j++) {
            if (data[offset + j] != magic[j]) {
                return false;
            }
        }
        return true;
    }
}
