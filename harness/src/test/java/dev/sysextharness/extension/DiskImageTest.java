package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDIs laid out here with the real sfdisk and mksquashfs (the partition types of the Discoverable Partitions
 * Specification, a squashfs in the root partition, a signature partition's JSON), read back without mounting, then
 * unpacked into a definition as {@code run --extension} does. (DDIs made by systemd-repart itself are the
 * {@code DdiIT}'s subject: that needs the container lane.)
 */
@Tag("host")
class DiskImageTest {
    private static final String ROOT = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";
    private static final String ROOT_VERITY = "2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5";
    private static final String ROOT_VERITY_SIG = "41092B05-9FC8-4523-994F-2DEF0408B176";
    private static final String LINUX_DATA = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

    @TempDir
    Path dir;

    private void run(List<String> cmd, String stdin) throws Exception {
        Path log = dir.resolve("tool.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", cmd, Files.readString(log)).isZero();
    }

    private Path squashfs() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("usr/share/tools"));
        Files.writeString(tree.resolve("usr/share/tools/data.txt"), "data\n");
        Files.writeString(Files.createDirectories(tree.resolve("usr/lib/extension-release.d")).resolve("extension-release.tools"),
                "ID=_any\n");
        Path fs = dir.resolve("fs.squashfs");
        run(List.of("mksquashfs", tree.toString(), fs.toString(), "-quiet", "-noappend", "-all-root"), null);
        return fs;
    }

    /** A 4 MiB GPT image with the given partitions (sfdisk lines after the header), the squashfs copied into the first. */
    private Path ddi(String file, List<String> partitions, String signatureJson) throws Exception {
        Path img = dir.resolve(file);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        run(List.of("sfdisk", "--quiet", img.toString()), "label: gpt\n" + String.join("\n", partitions) + "\n");
        byte[] fs = Files.readAllBytes(squashfs());
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(2048L * 512);
            f.write(fs);
            if (signatureJson != null) {
                f.seek(6144L * 512);
                f.write(signatureJson.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return img;
    }

    @Test
    void aNakedSquashfsIsUnprotectedRoot() throws Exception {
        DiskImage image = DiskImage.read(squashfs());
        assertThat(image.layout()).isEqualTo(DiskImage.Layout.SQUASHFS);
        assertThat(image.protection()).isEqualTo(DiskImage.Protection.UNPROTECTED);
        assertThat(image.designator()).isEqualTo("root");
    }

    @Test
    void aRootPartitionWithVerityAndASignatureIsSignedByTheFingerprintInItsJson() throws Exception {
        Path img = ddi("tools.sysext.raw", List.of("start=2048, size=2048, type=" + ROOT,
                "start=4096, size=2048, type=" + ROOT_VERITY, "start=6144, size=64, type=" + ROOT_VERITY_SIG),
                "{\"rootHash\":\"ab12\",\"certificateFingerprint\":\"36bf\",\"signature\":\"MIIB\"}");
        DiskImage image = DiskImage.read(img);
        assertThat(image.layout()).isEqualTo(DiskImage.Layout.DDI);
        assertThat(image.fileSystem()).isEqualTo("squashfs");
        assertThat(image.data().offset()).isEqualTo(2048L * 512);
        assertThat(image.hasVerity()).isTrue();
        assertThat(image.protection()).isEqualTo(DiskImage.Protection.SIGNED);
        assertThat(image.signature().certificateFingerprint()).isEqualTo("36bf");
        assertThat(image.describe()).isEqualTo("squashfs DDI, root partition with verity, signed by certificate 36bf");
    }

    @Test
    void verityWithoutSignatureIsVerityAndNoVerityIsUnprotected() throws Exception {
        Path verity = ddi("v.raw", List.of("start=2048, size=2048, type=" + ROOT, "start=4096, size=2048, type=" + ROOT_VERITY), null);
        assertThat(DiskImage.read(verity).protection()).isEqualTo(DiskImage.Protection.VERITY);
        Path plain = ddi("p.raw", List.of("start=2048, size=2048, type=" + ROOT), null);
        assertThat(DiskImage.read(plain).protection()).isEqualTo(DiskImage.Protection.UNPROTECTED);
        assertThat(DiskImage.read(plain).describe()).isEqualTo("squashfs DDI, root partition without verity");
    }

    @Test
    void aDdiIsUnpackedFromItsRootPartitionAndCarriesWhatThePolicySees() throws Exception {
        Path img = ddi("tools.raw", List.of("start=2048, size=2048, type=" + ROOT, "start=4096, size=2048, type=" + ROOT_VERITY), null);
        Extension ext = ExtensionCatalog.load(RawExtension.materialize(img, dir.resolve("work")));
        assertThat(ext.files()).contains("usr/share/tools/data.txt");
        assertThat(ext.definition().rawImage().protection()).isEqualTo("verity");
        assertThat(ext.definition().rawImage().layout()).isEqualTo("ddi");
    }

    @Test
    void aGptWithoutRootOrUsrPartitionIsRefusedWithItsReason() throws Exception {
        Path img = ddi("data.raw", List.of("start=2048, size=2048, type=" + LINUX_DATA), null);
        assertThat(DiskImage.read(img).layout()).isEqualTo(DiskImage.Layout.UNKNOWN);
        assertThatThrownBy(() -> RawExtension.materialize(img, dir.resolve("work")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(img + ": not an extension image: neither a squashfs, an erofs, nor a DDI (a GPT disk image with a"
                        + " root or /usr partition); its partition table has no x86-64 root or /usr partition");
    }
}
