package dev.sysextharness.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Finding the ELF kernel in a bzImage-like file, and telling a PVH-bootable ELF from one QEMU would refuse. */
class DirectKernelTest {
    /** An ELF64 header, one PT_NOTE program header, and one note named {@code name} of type {@code type}. */
    static byte[] elfWithNote(String name, int type) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        int nameLen = (n.length + 3) / 4 * 4;
        int noteAt = 64 + 56;
        int noteSize = 12 + nameLen + 8;
        ByteBuffer b = ByteBuffer.allocate(noteAt + noteSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putLong(32, 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 4).putLong(64 + 8, noteAt).putLong(64 + 32, noteSize);
        b.putInt(noteAt, n.length).putInt(noteAt + 4, 8).putInt(noteAt + 8, type);
        b.put(noteAt + 12, n);
        return b.array();
    }

    static byte[] bzImageAround(byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {'M', 'Z', 0, 0, 0x1f, (byte) 0x8b, 0x08, 0x00, 1, 2, 3}); // a setup header with a false gzip magic
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(payload);
        }
        out.write(new byte[] {9, 9, 9, 9}); // what follows the payload in a real bzImage
        return out.toByteArray();
    }

    @Test
    void theElfWithAPvhEntryIsTakenFromTheCompressedPayload() throws IOException {
        byte[] elf = elfWithNote("Xen", 18);
        StringBuilder said = new StringBuilder();
        assertThat(DirectKernel.vmlinux(bzImageAround(elf), said)).hasValue(elf);
        assertThat(said.toString()).isEqualTo("kernel: the ELF vmlinux at offset 11 of vmlinuz, PVH entry");
    }

    @Test
    void withoutThePvhNoteTheBzImageStays() throws IOException {
        StringBuilder said = new StringBuilder();
        assertThat(DirectKernel.vmlinux(bzImageAround(elfWithNote("Xen", 17)), said)).isEmpty();
        assertThat(DirectKernel.vmlinux(bzImageAround(elfWithNote("GNU", 18)), new StringBuilder())).isEmpty();
        assertThat(said.toString()).isEqualTo("kernel: no ELF payload with a PVH entry found in vmlinuz, booted as a bzImage");
        assertThat(DirectKernel.hasPvhEntry("not an elf at all, longer than sixty-four bytes ............................"
                .getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    /** One newc entry (name, content) and the trailer, as cpio writes them. */
    static byte[] cpio(String name, String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, name, content.getBytes(StandardCharsets.US_ASCII));
        entry(out, "TRAILER!!!", new byte[0]);
        out.writeBytes(new byte[512 - out.size() % 512]);
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, String name, byte[] data) {
        String header = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1, 0100644, 0, 0, 1, 0,
                data.length, 0, 0, 0, 0, name.length() + 1, 0);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes((name + "\0").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[(4 - out.size() % 4) % 4]);
        out.writeBytes(data);
        out.writeBytes(new byte[(4 - out.size() % 4) % 4]);
    }

    @Test
    void aPlainArchiveBeforeTheCompressedOneIsKeptAndTheRestUnpacked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        byte[] early = cpio("kernel/x86/microcode/AuthenticAMD.bin", "early");
        byte[] main = cpio("init", "#!/bin/sh\n");
        ByteArrayOutputStream initrd = new ByteArrayOutputStream();
        initrd.writeBytes(early);
        try (GZIPOutputStream gz = new GZIPOutputStream(initrd)) {
            gz.write(main);
        }
        java.nio.file.Files.write(dir.resolve("initrd.img"), initrd.toByteArray());
        java.nio.file.Files.write(dir.resolve("vmlinuz"), bzImageAround(elfWithNote("Xen", 18)));
        assertThat(DirectKernel.plainCpioEnd(initrd.toByteArray())).isEqualTo(early.length);

        String said = DirectKernel.unpack(dir, dev.sysextharness.host.Progress.silent());

        assertThat(said).endsWith("; initramfs: " + early.length + " plain bytes kept, the compressed rest unpacked to initrd.cpio");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(early);
        expected.writeBytes(main);
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve(DirectKernel.INITRD_CPIO))).isEqualTo(expected.toByteArray());
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve(DirectKernel.VMLINUX))).isEqualTo(elfWithNote("Xen", 18));
    }
}
