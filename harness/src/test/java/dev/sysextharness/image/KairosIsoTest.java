package dev.sysextharness.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a Kairos ISO comes from, in order: --iso, SYSEXT_HARNESS_ISO_DIR, the download cache, a download. */
class KairosIsoTest {
    /** Not a bootable ISO, but one that carries ISO 9660's volume descriptor signature where the harness looks for it. */
    private static final byte[] ISO = isoBytes();
    private static final String SHA = Downloader.sha256OfBytes(ISO);

    private final Flavor flavor = Workspace.locate(null).flavors().load("kairos-ubuntu-24.04");

    @TempDir
    Path tmp;

    private HttpServer server;
    private int isoRequests;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v3.7.2/kairos.iso", ex -> {
            isoRequests++;
            send(ex, ISO);
        });
        server.createContext("/v3.7.2/kairos.iso.sha256", ex -> send(ex, (SHA + "  artifacts/kairos.iso\n").getBytes()));
        server.createContext("/v3.7.2/garbled.iso.sha256", ex -> send(ex, "<html>rate limited</html>".getBytes()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v3.7.2/" + name;
    }

    private KairosIso isos(Path isoDir) {
        return new KairosIso(new Downloader(tmp.resolve("downloads")), isoDir);
    }

    @Test
    void aUrlWithoutAPinnedChecksumReadsThePublishedLineThenDownloadsOnce() {
        Flavor f = flavor.withKairosImage(flavor.image().kairos().override(null, url("kairos.iso"), null));
        assertThat(isos(null).local(f)).as("nothing local before the download").isNull();

        KairosIso.Located located = isos(null).locate(f, Progress.silent());
        assertThat(located.sha256()).isEqualTo(SHA);
        assertThat(located.file()).hasBinaryContent(ISO).hasFileName("kairos.iso");

        Flavor pinned = flavor.withKairosImage(flavor.image().kairos().override(null, url("kairos.iso"), SHA));
        assertThat(isos(null).local(pinned)).as("with the checksum known, the cached download counts as local")
                .isEqualTo(located.file());
        assertThat(isos(null).locate(pinned, Progress.silent()).file()).isEqualTo(located.file());
        assertThat(isoRequests).isEqualTo(1);
    }

    @Test
    void anIsoDirHoldingTheReleaseFileNameIsUsedWithoutTheNetwork() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("isos"));
        Files.write(dir.resolve(flavor.image().kairos().fileName()), ISO);

        assertThat(isos(dir).local(flavor)).isEqualTo(dir.resolve("kairos-ubuntu-24.04-core-amd64-generic-v3.7.2.iso"));
        KairosIso.Located located = isos(dir).locate(flavor, Progress.silent());
        assertThat(located.sha256()).as("a local ISO without a pinned checksum is hashed as it is").isEqualTo(SHA);
        assertThat(isos(tmp.resolve("elsewhere")).local(flavor)).isNull();
    }

    private static byte[] isoBytes() {
        byte[] b = new byte[0x8800];
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, b, 0x8001, 5);
        return b;
    }

    @Test
    void aFileWithoutTheIso9660SignatureIsRefusedBeforeAnythingBoots() throws IOException {
        Path notIso = Files.writeString(tmp.resolve("mine.iso"), "some text");
        Flavor f = flavor.withKairosImage(flavor.image().kairos().override(notIso, null, null));
        assertThatThrownBy(() -> isos(null).locate(f, Progress.silent()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("flavor kairos-ubuntu-24.04: ISO " + notIso + ": not an ISO 9660 image (no CD001 volume descriptor at byte 32769)");
    }

    @Test
    void aLocalIsoMustMatchAPinnedChecksum() throws IOException {
        Path iso = Files.write(tmp.resolve("mine.iso"), ISO);
        Flavor f = flavor.withKairosImage(flavor.image().kairos().override(iso, null, "b".repeat(64)));
        assertThatThrownBy(() -> isos(null).locate(f, Progress.silent()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("flavor kairos-ubuntu-24.04: " + iso + " has sha256 " + SHA + " but " + "b".repeat(64)
                        + " was expected; use the matching ISO or pass --sha256");
    }

    @Test
    void aMissingLocalIsoIsAConfigurationError() {
        Flavor f = flavor.withKairosImage(flavor.image().kairos().override(tmp.resolve("gone.iso"), null, null));
        assertThat(isos(null).local(f)).isNull();
        assertThatThrownBy(() -> isos(null).locate(f, Progress.silent()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("flavor kairos-ubuntu-24.04: ISO " + tmp.resolve("gone.iso") + ": no such file");
    }

    @Test
    void aChecksumFileThatIsNotAChecksumSaysSo() {
        Flavor f = flavor.withKairosImage(flavor.image().kairos().override(null, url("garbled.iso"), null));
        assertThatThrownBy(() -> isos(null).locate(f, Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessage(url("garbled.iso") + ".sha256: expected a sha256 line, got '<html>rate limited</html>'; pass --sha256 HEX");
    }
}
