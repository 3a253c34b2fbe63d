package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Another way a flavor's service may be set up for images, beside its own drop-in: Kairos's UKI drop-in, say, with its
 * stricter --image-policy and the certificates immucore drops into /run/verity.d from the firmware on a UKI boot.
 *
 * @param imagePolicy        the --image-policy of the variant's drop-in
 * @param verityCertificates names of the harness's signing keys whose certificates go into /run/verity.d ("trusted")
 * @param description        what the variant stands for, for the report
 */
public record PolicyVariant(@JsonProperty(required = true) String imagePolicy, List<String> verityCertificates, String description) {
    public PolicyVariant {
        Require.nonBlank(imagePolicy, "imagePolicy");
        verityCertificates = verityCertificates == null ? List.of() : List.copyOf(verityCertificates);
        for (String k : verityCertificates) {
            if (k == null || !k.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("field 'verityCertificates': expected key names (a-z, 0-9, '-'), got '" + k + "'");
            }
        }
    }
}
