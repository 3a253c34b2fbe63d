package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flavor's systemd-sysext configuration, as its drop-in sets it.
 *
 * @param hierarchies  SYSTEMD_SYSEXT_HIERARCHIES, in order
 * @param optMerged    whether /opt is among the merged hierarchies (Kairos: an opt-in)
 * @param imagePolicy  the --image-policy the service passes, or null where systemd has none (&lt; 254)
 * @param optIn        how /opt is added when a scenario opts in (default: a runtime drop-in)
 * @param variants     other drop-ins the flavor's nodes are known with (Kairos's UKI ones), by name; empty for none
 * @param kernelTrustsFirmwareDb whether the flavor's kernel checks a verity root hash signature against the
 *                     certificates the firmware's db put into its .platform keyring
 *                     (CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_PLATFORM_KEYRING); null where nobody measured it, which
 *                     skips the scenarios that boot a node with certificates in its firmware
 */
public record SysextConfig(
        @JsonProperty(required = true) List<String> hierarchies,
        boolean optMerged,
        String imagePolicy,
        OptIn optIn,
        Map<String, PolicyVariant> variants,
        Boolean kernelTrustsFirmwareDb) {

    public SysextConfig {
        if (hierarchies == null || hierarchies.isEmpty()) {
            throw new IllegalArgumentException("field 'hierarchies': expected a non-empty list of absolute paths");
        }
        for (String h : hierarchies) {
            if (h == null || !h.startsWith("/") || h.contains(":")) {
                throw new IllegalArgumentException(
                        "field 'hierarchies': expected absolute paths without ':', got '" + h + "'");
            }
        }
        if (optMerged != hierarchies.contains("/opt")) {
            throw new IllegalArgumentException("field 'optMerged': is " + optMerged
                    + " but '/opt' is " + (hierarchies.contains("/opt") ? "" : "not ") + "in hierarchies");
        }
        hierarchies = List.copyOf(hierarchies);
        optIn = optIn == null ? OptIn.RUNTIME_DROP_IN : optIn;
        variants = variants == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        for (String name : variants.keySet()) {
            if (!name.matches("[a-z0-9][a-z0-9.-]*")) {
                throw new IllegalArgumentException("field 'variants': '" + name + "' is not a variant name (a-z, 0-9, '.', '-')");
            }
        }
    }

    /** The value of SYSTEMD_SYSEXT_HIERARCHIES. */
    public String hierarchyVariable() {
        return String.join(":", hierarchies);
    }
}
