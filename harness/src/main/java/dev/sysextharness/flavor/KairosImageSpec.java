package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where a Kairos flavor's release ISO comes from: a URL (downloaded once, verified, cached by checksum) or a local
 * file (bring your own image). {@code --iso PATH} / {@code --iso-url URL --sha256 HEX} on the command line override it.
 *
 * @param isoUrl         release ISO URL; its last segment names the file looked up in SYSEXT_HARNESS_ISO_DIR
 * @param sha256         the first field of the published {@code .sha256} line; null: read {@code isoUrl + ".sha256"}
 *                       before downloading (a local ISO without one is hashed as it is)
 * @param containerImage the same release published as a container image (quay.io/kairos/&lt;flavor&gt;:&lt;tag&gt;),
 *                       which the container lane runs
 * @param isoPath        a local ISO, used instead of the URL
 * @param immucore       the immucore release inside the image (kairos-init's Makefile pins it per Kairos release), e.g.
 *                       {@code v0.12.0}: where it links {@code --common} extensions at boot differs by release
 *                       (required of a kairos flavor; kept when --iso or --iso-url replace the image, so a newer ISO
 *                       needs a flavor file of its own)
 */
public record KairosImageSpec(
        String isoUrl,
        String sha256,
        @JsonProperty(required = true) String containerImage,
        Path isoPath,
        String immucore) {

    public KairosImageSpec {
        if (isoUrl == null && isoPath == null) {
            throw new IllegalArgumentException("field 'isoUrl': expected the release ISO's URL (or 'isoPath' for a local ISO)");
        }
        if (isoUrl != null) {
            URI uri;
            try {
                uri = URI.create(isoUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field 'isoUrl': not a URL: '" + isoUrl + "'");
            }
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getPath() == null
                    || !uri.getPath().endsWith(".iso")) {
                throw new IllegalArgumentException("field 'isoUrl': expected an http(s) URL of a .iso file, got '" + isoUrl + "'");
            }
        }
        Require.nonBlank(containerImage, "containerImage");
        if (immucore != null) {
            ImmucoreRelease.parse(immucore);
        }
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("field 'sha256': expected 64 lowercase hex digits, got '" + sha256 + "'");
        }
    }

    /** The ISO's file name: the local file's, else the URL's last segment. */
    public String fileName() {
        if (isoPath != null) {
            return isoPath.getFileName().toString();
        }
        String path = URI.create(isoUrl).getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The published checksum file next to the ISO. */
    public URI checksumUrl() {
        return URI.create(isoUrl + ".sha256");
    }

    /** This spec with the command line's overrides applied (any may be null). */
    public KairosImageSpec override(Path iso, String url, String sum) {
        if (iso != null) {
            return new KairosImageSpec(null, sum, containerImage, iso, immucore);
        }
        if (url != null) {
            return new KairosImageSpec(url, sum, containerImage, null, immucore);
        }
        return sum == null ? this : new KairosImageSpec(isoUrl, sum, containerImage, isoPath, immucore);
    }
}
