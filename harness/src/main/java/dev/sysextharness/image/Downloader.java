package dev.sysextharness.image;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads large files (release ISOs) into a cache keyed by their sha256: {@code <root>/<sha256>/<name>}.
 * A file appears under its final name only after its checksum matched, so a file found there is complete; an
 * interrupted transfer stays as {@code <name>.part} and the next call resumes it with a Range request.
 */
public final class Downloader {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final Path root;
    private final Duration stallTimeout;

    public Downloader(Path root) {
        this(root, Duration.ofSeconds(60));
    }

    /** @param stallTimeout how long a transfer may deliver nothing before it is broken off (kept for a resume) */
    public Downloader(Path root, Duration stallTimeout) {
        this.root = root;
        this.stallTimeout = stallTimeout;
    }

    /** The verified file if it is already cached, else null. */
    public Path cached(String sha256, String name) {
        Path file = root.resolve(sha256).resolve(name);
        return Files.isRegularFile(file) ? file : null;
    }

    /** A small text resource (a published {@code .sha256} line), read whole. */
    public String fetchText(URI url) {
        HttpURLConnection c = open(url, 0);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HarnessException("cannot download " + url + " (" + e.getMessage() + "); " + advice(), e);
        } finally {
            c.disconnect();
        }
    }

    /**
     * The file at {@code url} with this sha256, downloaded (or resumed) when not cached.
     *
     * @param name file name inside the cache entry (the URL's last segment, so error messages and evidence name it)
     */
    public Path fetch(URI url, String sha256, String name, Progress progress) {
        Path done = cached(sha256, name);
        if (done != null) {
            return done;
        }
        Path dir = root.resolve(sha256);
        Path part = dir.resolve(name + ".part");
        try {
            Files.createDirectories(dir);
            MessageDigest digest = sha256();
            long have = Files.exists(part) ? hashInto(part, digest) : 0;
            HttpURLConnection c = open(url, have);
            try {
                int status = c.getResponseCode();
                if (status == 416) {
                    return verified(url, sha256, digest, part, dir.resolve(name), progress);
                }
                if (status == 200 && have > 0) {
                    progress.step(url + ": the server ignored the resume request; downloading from the start");
                    digest.reset();
                    have = 0;
                }
                long total = status == 206 ? totalFromContentRange(c, have) : c.getContentLengthLong();
                progress.step("downloading " + url + (have > 0 ? " (resuming at " + mib(have) + ")" : "")
                        + (total > 0 ? ", " + mib(total) : ""));
                copy(c.getInputStream(), part, have > 0, digest, have, total, progress);
            } finally {
                c.disconnect();
            }
            return verified(url, sha256, digest, part, dir.resolve(name), progress);
        } catch (IOException e) {
            throw new HarnessException("download of " + url + " failed: " + e.getMessage() + "; " + advice(), e);
        }
    }

    /** The part under its final name if its checksum matches; otherwise it is deleted and the run stops. */
    private static Path verified(URI url, String sha256, MessageDigest digest, Path part, Path target, Progress progress)
            throws IOException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            Files.delete(part);
            throw new HarnessException(url + ": sha256 is " + actual + " but " + sha256 + " was expected; the download was"
                    + " deleted; check the checksum (--sha256) or the URL");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        progress.step("downloaded and verified " + target);
        return target;
    }

    /**
     * A connection whose response is 200, or for a resume 206 (or 416: the part already holds every byte);
     * anything else is one line naming the URL.
     */
    private HttpURLConnection open(URI url, long from) {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) stallTimeout.toMillis()); // a transfer that stalls this long is broken off
            c.setInstanceFollowRedirects(true); // release assets redirect to a storage host
            if (from > 0) {
                c.setRequestProperty("Range", "bytes=" + from + "-");
            }
            int status = c.getResponseCode();
            if (status != 200 && status != 206 && !(status == 416 && from > 0)) {
                c.disconnect();
                throw new HarnessException(url + ": HTTP " + status + "; " + advice());
            }
            return c;
        } catch (SocketTimeoutException | ConnectException | UnknownHostException e) {
            throw new HarnessException("cannot reach " + url + " (" + e.getMessage() + "); " + advice(), e);
        } catch (IOException e) {
            throw new HarnessException("cannot download " + url + " (" + e.getMessage() + "); " + advice(), e);
        }
    }

    private static String advice() {
        return "download the ISO by other means and pass --iso PATH (or set SYSEXT_HARNESS_ISO_DIR)";
    }

    private static void copy(InputStream in, Path part, boolean append, MessageDigest digest, long have, long total,
            Progress progress) throws IOException {
        long written = have;
        Instant nextReport = Instant.now().plus(PROGRESS_EVERY);
        byte[] buffer = new byte[1 << 16];
        try (in; OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                written += n;
                if (Instant.now().isAfter(nextReport)) {
                    progress.step(String.format(Locale.ROOT, "  %s%s", mib(written),
                            total > 0 ? String.format(Locale.ROOT, " of %s (%.0f %%)", mib(total), 100.0 * written / total) : ""));
                    nextReport = Instant.now().plus(PROGRESS_EVERY);
                }
            }
        } catch (IOException e) {
            throw new IOException("transfer broke off after " + mib(written) + (total > 0 ? " of " + mib(total) : "")
                    + " (" + e.getMessage() + "); run again to resume from " + part, e);
        }
        if (total > 0 && written != total) {
            throw new IOException("transfer ended after " + written + " of " + total + " bytes; run again to resume from " + part);
        }
    }

    private static long hashInto(Path file, MessageDigest digest) throws IOException {
        long n = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buffer)) > 0) {
                digest.update(buffer, 0, r);
                n += r;
            }
        }
        return n;
    }

    /** sha256 of a local file, in lowercase hex. */
    public static String sha256Of(Path file) {
        try {
            MessageDigest digest = sha256();
            hashInto(file, digest);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new HarnessException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** sha256 of bytes in memory, in lowercase hex. */
    public static String sha256OfBytes(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "bytes START-END/TOTAL" → TOTAL; a range not starting where the part ends is refused (it would corrupt the file). */
    private static long totalFromContentRange(HttpURLConnection c, long have) throws IOException {
        String range = String.valueOf(c.getHeaderField("Content-Range"));
        Matcher m = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)").matcher(range);
        if (!m.matches() || Long.parseLong(m.group(1)) != have) {
            throw new IOException("the server answered the resume request with Content-Range '" + range + "', not bytes " + have + "-");
        }
        return m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
