package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;

/** The probe's initramfs, read back with another cpio reader than the one that wrote it. */
class ProbeInitramfsTest {

    @Test
    void holdsTheConsoleNodeAndAnExecutableInit() throws IOException {
        Map<String, CpioArchiveEntry> entries = new LinkedHashMap<>();
        byte[] init = null;
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(ProbeInitramfs.cpio()))) {
            for (CpioArchiveEntry e = in.getNextCPIOEntry(); e != null; e = in.getNextCPIOEntry()) {
                entries.put(e.getName(), e);
                if (e.getName().equals("init")) {
                    init = in.readAllBytes();
                }
            }
        }
        assertThat(entries).containsOnlyKeys("dev", "dev/console", "init");
        assertThat(entries.get("dev/console").isCharacterDevice()).as("dev/console is a character device").isTrue();
        assertThat(entries.get("dev/console").getRemoteDeviceMaj()).isEqualTo(5);
        assertThat(entries.get("dev/console").getRemoteDeviceMin()).isEqualTo(1);
        assertThat(entries.get("init").getMode() & 0777).isEqualTo(0755);
        assertThat(init).as("init is an x86-64 ELF executable").startsWith(0x7F, 'E', 'L', 'F', 2, 1, 1);
        assertThat(new String(init, java.nio.charset.StandardCharsets.US_ASCII)).contains(ProbeInitramfs.MARKER + "\n");
    }
}
