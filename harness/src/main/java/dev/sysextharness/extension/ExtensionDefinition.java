package dev.sysextharness.extension;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * images/extensions/&lt;name&gt;/extension.yaml: what the extension-release file says, and under which names.
 *
 * @param name            the definition's name (its directory) and the OCI repository it is pushed as
 * @param extensionName   the sysext image name: the directory under /var/lib/extensions and the suffix of
 *                        extension-release.NAME (default: {@code name})
 * @param release         extension-release fields (ID, VERSION_ID, SYSEXT_LEVEL, ARCHITECTURE, SYSEXT_SCOPE, …)
 * @param releaseFile     raw extension-release content instead of {@code release}, for deliberately broken cases
 * @param releaseFileName the file's suffix when it must differ from extensionName (a file named for another image)
 * @param noRelease       true for an extension that deliberately ships no extension-release at all
 * @param raw             a squashfs image to ship as it is, as /var/lib/extensions/&lt;extensionName&gt;.raw, instead
 *                        of an OCI image built from rootfs/ (which then holds the image's content, for the oracle)
 * @param rawImage        what {@code raw} holds as an image policy sees it (read from the file), or null
 * @param image           the author's OCI image this definition was made from ({@code run --extension IMAGE}): its
 *                        manifest and blobs as pulled, pushed to the run's registry byte for byte instead of an
 *                        image built from rootfs/ (which then holds the flattened content, for the oracle)
 */
public record ExtensionDefinition(
        @JsonProperty(required = true) String name,
        String extensionName,
        Map<String, String> release,
        String releaseFile,
        String releaseFileName,
        boolean noRelease,
        String raw,
        RawImage rawImage,
        SourceImage image) {

    public ExtensionDefinition {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("field 'name': expected lowercase letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        if (extensionName == null) {
            extensionName = name;
        }
        if (!extensionName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("field 'extensionName': not a valid image name: '" + extensionName + "'");
        }
        int sources = (release != null ? 1 : 0) + (releaseFile != null ? 1 : 0) + (noRelease ? 1 : 0);
        if (sources == 0) {
            throw new IllegalArgumentException("no extension-release: set 'release' (fields), 'releaseFile' (raw text),"
                    + " or 'noRelease: true' for an extension that deliberately has none");
        }
        if (sources > 1) {
            throw new IllegalArgumentException("set only one of 'release', 'releaseFile' and 'noRelease'");
        }
        if (release != null) {
            if (release.isEmpty()) {
                throw new IllegalArgumentException("field 'release': expected at least ID");
            }
            for (var e : release.entrySet()) {
                if (!e.getKey().matches("[A-Z][A-Z0-9_]*") || e.getValue() == null || e.getValue().contains("\n")) {
                    throw new IllegalArgumentException("field 'release." + e.getKey() + "': expected an UPPER_CASE key with a one-line value");
                }
            }
            release = new LinkedHashMap<>(release);
        }
        if (releaseFileName == null) {
            releaseFileName = extensionName;
        }
    }

    /**
     * An author's image as pulled: {@code ref} as given, the manifest's {@code digest} and {@code mediaType}, and {@code dir}
     * holding manifest.json and blobs/&lt;digest&gt; (config and layers, untouched).
     */
    public record SourceImage(@JsonProperty(required = true) String ref, @JsonProperty(required = true) String digest,
                              @JsonProperty(required = true) String mediaType, @JsonProperty(required = true) String dir) {
    }

    /**
     * What a .raw file holds, as an image policy judges it: {@code layout} squashfs, erofs or ddi; {@code protection}
     * of its data partition — unprotected, verity or signed (the policy words); {@code designator} root or usr;
     * {@code signer} the SHA-256 fingerprint of the signing certificate (signed only); {@code description} in words.
     */
    public record RawImage(@JsonProperty(required = true) String layout, @JsonProperty(required = true) String protection,
                           String designator, String signer, String description) {
    }

    /** Where the release file goes inside the image, or null when the extension deliberately has none. */
    public String releasePath() {
        return noRelease ? null : "usr/lib/extension-release.d/extension-release." + releaseFileName;
    }

    /** The release file's content. */
    public String releaseText() {
        if (noRelease) {
            return null;
        }
        if (releaseFile != null) {
            return releaseFile.endsWith("\n") ? releaseFile : releaseFile + "\n";
        }
        StringBuilder sb = new StringBuilder();
        release.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }
}
