package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a Kairos flavor's release ISO comes from.
 *
 * @param isoUrl  release ISO URL
 * @param sha256  the first field of the published {@code .sha256} line
 * @param containerImage the same release published as a container image (quay.io/kairos/&lt;flavor&gt;:&lt;tag&gt;),
 *                       which the container lane runs
 */
public record KairosImageSpec(
        @JsonProperty(required = true) String isoUrl,
        String sha256,
        @JsonProperty(required = true) String containerImage) {

    public KairosImageSpec {
        Require.nonBlank(isoUrl, "isoUrl");
        Require.nonBlank(containerImage, "containerImage");
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("field 'sha256': expected 64 lowercase hex digits, got '" + sha256 + "'");
        }
    }
}
