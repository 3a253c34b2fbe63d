package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kept-disk.json as boot --from reads it: what it boots, and one line for what is missing. */
class KeptDiskTest {
    @TempDir
    Path dir;

    private void keptDisk(Path backing) throws Exception {
        Files.writeString(dir.resolve("overlay.qcow2"), "");
        Files.writeString(dir.resolve(KeptDisk.FILE), """
                {"flavor": "debian-12", "overlay": "overlay.qcow2", "backingChain": ["%s"],
                 "kernel": "%s", "initrd": "%s", "append": "console=ttyS0"}
                """.formatted(backing, backing, backing));
    }

    @Test
    void bootsAFreshOverlayOfTheKeptOverlayWithTheFlavorsKernel() throws Exception {
        Path base = Files.writeString(dir.resolve("base.raw"), "");
        keptDisk(base);

        BootDisk disk = KeptDisk.read(dir).bootDisk();
        assertThat(disk.disk()).as("the base of the new node's overlay").isEqualTo(dir.resolve("overlay.qcow2").toAbsolutePath());
        assertThat(disk.format()).isEqualTo("qcow2");
        assertThat(disk.kernel()).isEqualTo(base);
        assertThat(disk.append()).isEqualTo("console=ttyS0");
    }

    @Test
    void aBackingFileThatIsGoneIsNamedInOneLine() throws Exception {
        Path gone = dir.resolve("cache/states/abc/frozen.qcow2");
        keptDisk(gone);

        assertThatThrownBy(() -> KeptDisk.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the kept disk needs " + gone + ", which is missing")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aDirectoryWithoutAKeptDiskSaysWhatToGive() {
        assertThatThrownBy(() -> KeptDisk.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessage(dir + ": no kept-disk.json here; give the evidence directory of a failed VM cell"
                        + " (reports/<run>/evidence/<flavor>/<Class.method>)");
    }
}
