package dev.sysextharness.vm;

import dev.sysextharness.host.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every VM writes to its own qcow2 overlay, backed by the untouched base disk. */
@Tag("host")
class OverlayTest {
    @TempDir
    Path dir;

    @Test
    void overlayIsQcow2BackedByTheBaseDiskWhichStaysUntouched() throws Exception {
        Path base = dir.resolve("base.img");
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "raw", base.toString(), "16M"), 30);
        long baseModified = Files.getLastModifiedTime(base).toMillis();

        Path overlay = Overlay.create(base, "raw", dir.resolve("overlay.qcow2"));
        OwnedProcesses.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k", overlay.toString()), 30);

        JsonNode info = Json.mapper().readTree(
                OwnedProcesses.run(List.of("qemu-img", "info", "--output=json", overlay.toString()), 30));
        assertThat(info.path("format").asText()).isEqualTo("qcow2");
        assertThat(info.path("backing-filename").asText()).isEqualTo(base.toAbsolutePath().toString());
        assertThat(info.path("backing-filename-format").asText()).isEqualTo("raw");
        assertThat(Files.getLastModifiedTime(base).toMillis()).as("base disk after a write to the overlay").isEqualTo(baseModified);
        assertThat(Files.readAllBytes(base)).as("base disk content").containsOnly((byte) 0);
    }

    @Test
    void backingChainNamesEveryFileDownToTheBaseDisk() throws Exception {
        Path base = dir.resolve("base.img");
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "raw", base.toString(), "16M"), 30);
        Path frozen = Overlay.create(base, "raw", dir.resolve("frozen.qcow2"));
        Path kept = Overlay.create(frozen, "qcow2", dir.resolve("kept.qcow2"));

        assertThat(Overlay.backingChain(kept)).as("chain of an overlay of an overlay")
                .containsExactly(frozen.toAbsolutePath(), base.toAbsolutePath());
        assertThat(Overlay.backingChain(base)).as("chain of a raw disk").isEmpty();

        Files.delete(frozen);
        assertThat(Overlay.backingChain(kept)).as("chain whose middle file is gone: named, and the walk stops there")
                .containsExactly(frozen.toAbsolutePath());
    }
}
