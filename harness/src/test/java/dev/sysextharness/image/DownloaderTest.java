package dev.sysextharness.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a real HTTP server on 127.0.0.1 that can serve, cut off, resume and 404. */
class DownloaderTest {
    private static final byte[] ISO = randomBytes(3 * 1024 * 1024 + 17);
    private static final String SHA = Downloader.sha256OfBytes(ISO);

    @TempDir
    Path cache;

    private ServerSocket server;
    private Thread acceptor;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile int cutOffAfter = -1;
    private volatile boolean stallInsteadOfClosing;
    private volatile boolean honourRange = true;

    /**
     * A minimal HTTP/1.1 server on 127.0.0.1, one connection per request, so a transfer can really be cut off
     * (connection closed mid-body) or stalled (connection held open, nothing sent).
     */
    @BeforeEach
    void serve() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    answer(s);
                } catch (IOException closedOrAborted) {
                    // the test ended, or the client went away mid-transfer
                }
            }
        }, "test-http");
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5000);
    }

    private void answer(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String path = in.readLine().split(" ")[1];
        String range = null;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("range:")) {
                range = line.substring(6).trim();
            }
        }
        OutputStream out = s.getOutputStream();
        if (path.equals("/kairos.iso.sha256")) {
            byte[] body = (SHA + "  artifacts/kairos.iso\n").getBytes(StandardCharsets.UTF_8);
            out.write(head("200 OK", body.length, null));
            out.write(body);
            return;
        }
        if (!path.equals("/kairos.iso")) {
            out.write(head("404 Not Found", 0, null));
            return;
        }
        requests.add(range == null ? "GET" : "GET " + range);
        int from = 0;
        Matcher m = range == null ? null : Pattern.compile("bytes=(\\d+)-").matcher(range);
        if (honourRange && m != null && m.matches()) {
            from = Integer.parseInt(m.group(1));
        }
        int length = ISO.length - from;
        out.write(from > 0
                ? head("206 Partial Content", length, "Content-Range: bytes " + from + "-" + (ISO.length - 1) + "/" + ISO.length)
                : head("200 OK", length, null));
        if (cutOffAfter < 0) {
            out.write(ISO, from, length);
            return;
        }
        out.write(ISO, from, cutOffAfter);
        out.flush();
        if (stallInsteadOfClosing) {
            in.read(); // hold the connection open until the client gives up
        }
    }

    private static byte[] head(String status, int length, String extra) {
        return ("HTTP/1.1 " + status + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n"
                + (extra == null ? "" : extra + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    @Test
    void downloadsVerifiesAndThenServesFromTheCache() throws IOException {
        Downloader downloader = new Downloader(cache);
        Path file = downloader.fetch(url("/kairos.iso"), SHA, "kairos.iso", Progress.silent());

        assertThat(file).isEqualTo(cache.resolve(SHA).resolve("kairos.iso")).hasBinaryContent(ISO);
        assertThat(cache.resolve(SHA).resolve("kairos.iso.part")).doesNotExist();
        assertThat(downloader.fetch(url("/kairos.iso"), SHA, "kairos.iso", Progress.silent())).isEqualTo(file);
        assertThat(requests).as("the second fetch is served from the cache").containsExactly("GET");
    }

    @Test
    void readsThePublishedChecksumLine() {
        String line = new Downloader(cache).fetchText(url("/kairos.iso.sha256"));
        assertThat(line.split("\\s+")[0]).isEqualTo(SHA);
    }

    @Test
    void aWrongChecksumDeletesTheDownloadAndSaysSo() {
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> new Downloader(cache).fetch(url("/kairos.iso"), wrong, "kairos.iso", Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining(url("/kairos.iso").toString())
                .hasMessageContaining("sha256 is " + SHA + " but " + wrong + " was expected");
        assertThat(cache.resolve(wrong)).isEmptyDirectory();
    }

    @Test
    void notFoundIsOneLineNamingTheUrlAndTheWayOut() {
        assertThatThrownBy(() -> new Downloader(cache).fetch(url("/missing.iso"), SHA, "missing.iso", Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessageStartingWith(url("/missing.iso") + ": HTTP 404")
                .hasMessageContaining("--iso PATH")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(new Downloader(cache).cached(SHA, "missing.iso")).isNull();
    }

    @Test
    void aTruncatedTransferIsNeverUsedAndTheNextRunResumesIt() throws IOException {
        cutOffAfter = 1024 * 1024;
        Downloader downloader = new Downloader(cache);
        assertThatThrownBy(() -> downloader.fetch(url("/kairos.iso"), SHA, "kairos.iso", Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining("run again to resume");
        Path part = cache.resolve(SHA).resolve("kairos.iso.part");
        assertThat(downloader.cached(SHA, "kairos.iso")).as("a partial file never looks complete").isNull();
        assertThat(Files.size(part)).isEqualTo(cutOffAfter);

        cutOffAfter = -1;
        Path file = downloader.fetch(url("/kairos.iso"), SHA, "kairos.iso", Progress.silent());

        assertThat(file).hasBinaryContent(ISO);
        assertThat(requests).containsExactly("GET", "GET bytes=" + (1024 * 1024) + "-");
        assertThat(part).doesNotExist();
    }

    @Test
    void aStalledTransferIsBrokenOffAfterTheStallTimeoutAndKeptForResume() {
        cutOffAfter = 4096;
        stallInsteadOfClosing = true;
        Instant start = Instant.now();
        assertThatThrownBy(() -> new Downloader(cache, Duration.ofSeconds(1)).fetch(url("/kairos.iso"), SHA, "kairos.iso",
                Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining("run again to resume");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(cache.resolve(SHA).resolve("kairos.iso.part")).hasSize(4096);
    }

    @Test
    void aServerThatIgnoresRangeRestartsFromTheBeginning() throws IOException {
        Path part = cache.resolve(SHA).resolve("kairos.iso.part");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[] {1, 2, 3}); // garbage that a naive append would keep
        honourRange = false;

        Path file = new Downloader(cache).fetch(url("/kairos.iso"), SHA, "kairos.iso", Progress.silent());

        assertThat(file).hasBinaryContent(ISO);
    }

    @Test
    void anUnreachableServerFailsFastWithOneLine() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closed + "/kairos.iso");
        Instant start = Instant.now();
        assertThatThrownBy(() -> new Downloader(cache).fetch(url, SHA, "kairos.iso", Progress.silent()))
                .isInstanceOf(HarnessException.class)
                .hasMessageStartingWith("cannot reach " + url)
                .hasMessageContaining("--iso PATH")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

}
