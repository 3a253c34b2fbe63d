package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;

/**
 * One vm-configs/&lt;name&gt;.yaml: everything flavor-specific the harness needs, so scenarios never fork per flavor.
 *
 * @param runtimeUnpack command template run as root in the guest to unpack an OCI image;
 *                      {@code {image}} and {@code {dir}} are substituted
 */
public record Flavor(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) Family family,
        String description,
        @JsonProperty(required = true) ImageSource image,
        @JsonProperty(required = true) int systemdVersion,
        @JsonProperty(required = true) Login login,
        @JsonProperty(required = true) SysextConfig sysext,
        @JsonProperty(required = true) String runtimeUnpack,
        @JsonProperty(required = true) Machine machine,
        @JsonProperty(required = true) Timeouts timeouts) {

    public Flavor {
        Require.nonBlank(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("field 'name': expected lowercase letters, digits, '.' and '-', got '" + name + "'");
        }
        if (systemdVersion < 200 || systemdVersion > 999) {
            throw new IllegalArgumentException("field 'systemdVersion': expected a systemd major version like 252, got " + systemdVersion);
        }
        Require.nonBlank(runtimeUnpack, "runtimeUnpack");
        if (!runtimeUnpack.contains("{image}") || !runtimeUnpack.contains("{dir}")) {
            throw new IllegalArgumentException("field 'runtimeUnpack': expected a template containing {image} and {dir}");
        }
        if (family == Family.REFERENCE && image.reference() == null) {
            throw new IllegalArgumentException("field 'image': family reference needs 'image.reference'");
        }
        if (family == Family.KAIROS && image.kairos() == null) {
            throw new IllegalArgumentException("field 'image': family kairos needs 'image.kairos'");
        }
        if (family == Family.KAIROS && image.kairos().immucore() == null) {
            throw new IllegalArgumentException("field 'image.kairos.immucore': a kairos flavor names the immucore release in its"
                    + " image (v0.12.0 in Kairos v3.7.x), which decides where extensions enabled for every state are linked at boot");
        }
        if (family == Family.KAIROS && timeouts.installSeconds() < 1) {
            throw new IllegalArgumentException("field 'timeouts.installSeconds': a kairos flavor installs from its ISO and needs"
                    + " an install deadline");
        }
        if (sysext.imagePolicy() != null && systemdVersion < 254) {
            throw new IllegalArgumentException("field 'sysext.imagePolicy': systemd " + systemdVersion
                    + " has no --image-policy (added in 254); leave it out");
        }
        if (!sysext.variants().isEmpty() && systemdVersion < 254) {
            throw new IllegalArgumentException("field 'sysext.variants': systemd " + systemdVersion
                    + " has no --image-policy (added in 254), which every variant sets; leave them out");
        }
    }

    public Flavor withTimeouts(Timeouts t) {
        return new Flavor(name, family, description, image, systemdVersion, login, sysext, runtimeUnpack, machine, t);
    }

    public Flavor withMachine(Machine m) {
        return new Flavor(name, family, description, image, systemdVersion, login, sysext, runtimeUnpack, m, timeouts);
    }

    /** A Kairos flavor whose ISO comes from elsewhere. */
    public Flavor withKairosImage(KairosImageSpec spec) {
        return new Flavor(name, family, description, new ImageSource(null, spec), systemdVersion, login, sysext, runtimeUnpack,
                machine, timeouts);
    }

    /** The command line's --iso, --iso-url, --sha256 (each may be null) applied; reference flavors are unchanged. */
    public Flavor withIso(Path iso, String isoUrl, String sha256) {
        if (family != Family.KAIROS || iso == null && isoUrl == null && sha256 == null) {
            return this;
        }
        return withKairosImage(image.kairos().override(iso, isoUrl, sha256));
    }

    /** The runtime unpack command for one image into one directory. */
    public String unpackCommand(String imageRef, String dir) {
        return runtimeUnpack.replace("{image}", imageRef).replace("{dir}", dir);
    }
}
