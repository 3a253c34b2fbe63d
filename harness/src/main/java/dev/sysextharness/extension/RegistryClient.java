package dev.sysextharness.extension;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Pulls an image's layers from a loopback registry over the v2 HTTP API, checking every blob's digest. */
public final class RegistryClient {
    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public RegistryClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A layer blob as pulled: its digest, media type and the file holding it. */
    public record Layer(String digest, String mediaType, Path file) {
        public boolean gzipped() {
            return mediaType.endsWith("gzip");
        }
    }

    /** An image as pulled: the manifest's exact bytes, its digest and media type, and every blob it names, in {@code dir}. */
    public record PulledImage(byte[] manifest, String digest, String mediaType, List<String> blobs, List<Layer> layers, Path dir) {
        public Path blob(String digest) {
            return dir.resolve("blobs").resolve(digest.replace(':', '-'));
        }
    }

    /**
     * Pulls {@code repository:reference} whole — manifest, config and layers — into {@code dir}: manifest.json (its bytes
     * as served) and blobs/. A multi-platform index is refused: certification needs the one image a node would run.
     */
    public PulledImage pullImage(String repository, String reference, Path dir) throws IOException {
        byte[] bytes = get("/v2/" + repository + "/manifests/" + reference, repository + ":" + reference);
        JsonNode manifest = Json.mapper().readTree(bytes);
        String mediaType = manifest.path("mediaType").asText("application/vnd.oci.image.manifest.v1+json");
        if (manifest.has("manifests")) {
            throw new HarnessException("image " + repository + ":" + reference + " at " + baseUrl + " is a multi-platform index;"
                    + " give the digest of its linux/amd64 manifest instead");
        }
        Files.createDirectories(dir.resolve("blobs"));
        Files.write(dir.resolve("manifest.json"), bytes);
        List<String> blobs = new ArrayList<>();
        String config = manifest.path("config").path("digest").asText();
        if (!config.isEmpty()) {
            blobs.add(config);
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            blobs.add(l.path("digest").asText());
        }
        PulledImage image = new PulledImage(bytes, sha256(bytes), mediaType, blobs, layers, dir);
        for (String b : blobs) {
            fetchBlob(repository, b, image.blob(b));
        }
        for (JsonNode l : manifest.path("layers")) {
            String d = l.path("digest").asText();
            layers.add(new Layer(d, l.path("mediaType").asText(), image.blob(d)));
        }
        if (layers.isEmpty()) {
            throw new HarnessException("image " + repository + ":" + reference + " at " + baseUrl + " has no layers in its manifest"
                    + " (media type " + mediaType + ")");
        }
        return image;
    }

    /**
     * Pushes an image as pulled — the same blobs and the very manifest bytes — to {@code repository:tag} here; returns
     * the manifest digest the registry reports, which is the author's when nothing was changed on the way.
     */
    public String pushImage(String repository, String tag, Path dir, String mediaType, List<String> blobs) throws IOException {
        try {
            for (String digest : blobs) {
                Path file = dir.resolve("blobs").resolve(digest.replace(':', '-'));
                HttpResponse<Void> start = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
                String location = start.headers().firstValue("Location").orElse(null);
                if (start.statusCode() != 202 || location == null) {
                    throw new HarnessException("registry " + baseUrl + " answered " + start.statusCode() + " to a blob upload for " + repository);
                }
                URI put = URI.create(baseUrl).resolve(location);
                put = URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + digest);
                HttpResponse<Void> done = http.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofFile(file)).timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.discarding());
                if (done.statusCode() != 201) {
                    throw new HarnessException("registry " + baseUrl + " answered " + done.statusCode() + " to blob " + digest);
                }
            }
            HttpResponse<Void> m = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/manifests/" + tag))
                    .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofFile(dir.resolve("manifest.json")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            if (m.statusCode() != 201) {
                throw new HarnessException("registry " + baseUrl + " answered " + m.statusCode() + " to the manifest of " + repository + ":" + tag);
            }
            return m.headers().firstValue("Docker-Content-Digest").orElse(sha256(Files.readAllBytes(dir.resolve("manifest.json"))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Downloads the layers of {@code repository:tag} into {@code dir}, bottom layer first. */
    public List<Layer> pullLayers(String repository, String tag, Path dir) throws IOException {
        JsonNode manifest = Json.mapper().readTree(get("/v2/" + repository + "/manifests/" + tag, repository + ":" + tag));
        JsonNode layers = manifest.path("layers");
        if (!layers.isArray()) {
            throw new HarnessException("image " + repository + ":" + tag + " at " + baseUrl + " has no layers in its manifest"
                    + " (media type " + manifest.path("mediaType").asText("?") + ")");
        }
        List<Layer> out = new ArrayList<>();
        for (JsonNode l : layers) {
            String digest = l.path("digest").asText();
            Path file = dir.resolve(digest.replace(':', '-'));
            fetchBlob(repository, digest, file);
            out.add(new Layer(digest, l.path("mediaType").asText(), file));
        }
        return out;
    }

    private byte[] get(String path, String what) throws IOException {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Accept", ACCEPT)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404) {
                throw new HarnessException("image " + what + " not found in the registry at " + baseUrl);
            }
            if (r.statusCode() != 200) {
                throw new HarnessException("registry " + baseUrl + " answered " + r.statusCode() + " for " + path);
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void fetchBlob(String repository, String digest, Path file) throws IOException {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/blobs/" + digest))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new HarnessException("registry " + baseUrl + " answered " + r.statusCode() + " for blob " + digest);
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(r.body(), sha)) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(digest)) {
                throw new HarnessException("blob " + digest + " from " + baseUrl + " has digest " + actual);
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(part);
        }
    }
}
