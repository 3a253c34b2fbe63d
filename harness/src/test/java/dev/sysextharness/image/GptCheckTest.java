package dev.sysextharness.image;

import dev.sysextharness.host.GptCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached-disk check against disks sfdisk wrote, whole and damaged in the ways a cache entry gets damaged. */
@Tag("host")
class GptCheckTest {
    @TempDir
    Path tmp;

    Path disk;

    @BeforeEach
    void gptDisk() throws IOException {
        disk = tmp.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        Path script = Files.writeString(tmp.resolve("layout"), "label: gpt\nstart=1MiB, size=8MiB, type=linux, name=COS_OEM\n"
                + "size=16MiB, type=linux, name=COS_ACTIVE\n");
        OwnedProcesses.run(List.of("sh", "-c", "sfdisk -q " + disk + " < " + script), 30);
    }

    @Test
    void anIntactDiskPasses() {
        assertThat(GptCheck.problem(disk)).isNull();
    }

    @Test
    void aTruncatedDiskIsNamedAsSuch() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        assertThat(GptCheck.problem(disk)).startsWith("the backup GPT header is at LBA 131071").endsWith("(truncated?)");
    }

    @Test
    void anOverwrittenHeaderOrTableFailsItsCrc() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(512 + 40);
            f.write(0x55); // first usable LBA of the primary header
        }
        assertThat(GptCheck.problem(disk)).isEqualTo("primary GPT header does not match its CRC32");
    }

    @Test
    void aChangedPartitionEntryFailsTheTableCrc() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(1024 + 56);
            f.write('X'); // first letter of the first partition's name
        }
        assertThat(GptCheck.problem(disk)).isEqualTo("the GPT partition table does not match its CRC32");
    }

    @Test
    void aFileThatIsNoGptDiskAtAllIsRefused() throws IOException {
        Path zeros = tmp.resolve("zeros.img");
        try (RandomAccessFile f = new RandomAccessFile(zeros.toFile(), "rw")) {
            f.setLength(1L << 20);
        }
        assertThat(GptCheck.problem(zeros)).isEqualTo("no primary GPT header (signature missing)");
    }
}
