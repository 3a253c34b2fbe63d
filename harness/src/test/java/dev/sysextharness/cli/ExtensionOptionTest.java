package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run --extension} accepts, and the one line it gives for what it does not, before anything boots. */
class ExtensionOptionTest {
    @TempDir
    Path dir;

    private final Progress progress = Progress.to(new PrintStream(new ByteArrayOutputStream()));

    @Test
    void aDefinitionDirectoryIsTakenAsItIs() {
        Path hello = Path.of(System.getProperty("sysext.repoRoot", "..")).resolve("images/extensions/hello");
        assertThat(RunCommand.userExtension(hello.toString(), dir, progress)).isEqualTo(hello);
    }

    @Test
    void aFileThatIsNoImageIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path raw = Files.writeString(dir.resolve("mine.raw"), "not squashfs");
        assertThatThrownBy(() -> RunCommand.userExtension(raw.toString(), dir.resolve("work"), progress))
                .isInstanceOf(ConfigException.class).hasMessageContaining(raw + ": not an extension image: neither a squashfs, an erofs, nor a DDI")
                .hasMessageNotContaining("\n");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aMissingRawFileIsNamed() {
        assertThatThrownBy(() -> RunCommand.userExtension(dir.resolve("gone.raw").toString(), dir, progress))
                .isInstanceOf(ConfigException.class).hasMessageEndingWith("gone.raw: no such file");
    }

    @Test
    void neitherADirectoryNorAReferenceIsAUsageError() {
        assertThatThrownBy(() -> RunCommand.userExtension("no-such-dir", dir, progress))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no such directory, and not an image reference");
    }

    @Test
    void anUnreachableRegistryIsOneLineNamingTheImage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String ref = "127.0.0.1:" + port + "/mine:1";
        assertThatThrownBy(() -> RunCommand.userExtension(ref, dir.resolve("work"), progress))
                .isInstanceOf(HarnessException.class).hasMessageContaining("cannot pull " + ref).hasMessageNotContaining("\n");
    }
}
