package dev.sysextharness.extension;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.ConfigFiles;
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

    /** Downloads the layers of {@code repository:tag} into {@code dir}, bottom layer first. */
    public List<Layer> pullLayers(String repository, String tag, Path dir) throws IOException {
        JsonNode manifest = ConfigFiles.json().readTree(get("/v2/" + repository + "/manifests/" + tag, repository + ":" + tag));
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
