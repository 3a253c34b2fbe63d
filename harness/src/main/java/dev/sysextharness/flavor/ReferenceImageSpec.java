package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Recipe parameters of a reference flavor's image (images/reference/build.sh).
 *
 * @param suite     Debian suite, e.g. bookworm
 * @param mirror    Debian mirror URL reached through apt
 * @param backports take systemd from {@code <suite>-backports}
 */
public record ReferenceImageSpec(
        @JsonProperty(required = true) String suite,
        @JsonProperty(required = true) String mirror,
        boolean backports) {

    public ReferenceImageSpec {
        Require.nonBlank(suite, "suite");
        Require.nonBlank(mirror, "mirror");
        if (!mirror.startsWith("http://") && !mirror.startsWith("https://")) {
            throw new IllegalArgumentException("field 'mirror': expected an http(s) URL, got '" + mirror + "'");
        }
    }
}
