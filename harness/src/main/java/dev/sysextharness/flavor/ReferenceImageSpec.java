package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Recipe parameters of a reference flavor's image (images/reference/build.sh).
 *
 * @param suite     Debian suite, e.g. bookworm
 * @param mirror    Debian mirror URL reached through apt
 * @param backports take systemd from {@code <suite>-backports}
 * @param packages  Debian packages installed beyond the recipe's own list (e.g. systemd-repart where a flavor
 *                  builds or inspects disk images), empty for none
 */
public record ReferenceImageSpec(
        @JsonProperty(required = true) String suite,
        @JsonProperty(required = true) String mirror,
        boolean backports,
        List<String> packages) {

    public ReferenceImageSpec {
        Require.nonBlank(suite, "suite");
        Require.nonBlank(mirror, "mirror");
        if (!mirror.startsWith("http://") && !mirror.startsWith("https://")) {
            throw new IllegalArgumentException("field 'mirror': expected an http(s) URL, got '" + mirror + "'");
        }
        packages = packages == null ? List.of() : List.copyOf(packages);
        for (String p : packages) {
            if (p == null || !p.matches("[a-z0-9][a-z0-9+.-]+")) {
                throw new IllegalArgumentException("field 'packages': expected Debian package names, got '" + p + "'");
            }
        }
    }
}
