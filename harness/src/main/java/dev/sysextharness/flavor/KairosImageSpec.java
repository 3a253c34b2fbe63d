package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a Kairos flavor's release ISO comes from.
 *
 * @param isoUrl  release ISO URL
 * @param sha256  the first field of the published {@code .sha256} line
 */
public record KairosImageSpec(
        @JsonProperty(required = true) String isoUrl,
        String sha256) {

    public KairosImageSpec {
        Require.nonBlank(isoUrl, "isoUrl");
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("field 'sha256': expected 64 lowercase hex digits, got '" + sha256 + "'");
        }
    }
}
