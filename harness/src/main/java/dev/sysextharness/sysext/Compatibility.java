package dev.sysextharness.sysext;

import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.SystemdVersion;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The oracle for extension-release matching: whether systemd-sysext of a given version merges an extension into a
 * host, and why not. It follows the documented order of checks (systemd src/shared/extension-util.c
 * extension_release_validate(); man os-release, extension-release fields), each check present only from the
 * version the capability table gives it.
 */
public final class Compatibility {
    /** The host architecture in systemd's naming; the harness runs x86-64 guests only. */
    public static final String HOST_ARCHITECTURE = "x86-64";

    private Compatibility() {
    }

    /**
     * The oracle's answer: merged or not, the rule that decided it, and for a rejection the line systemd logs for it at
     * debug level ({@code evidence}, a regular expression with the image's name as {@code NAME}; measured on 252.39,
     * 254.26, 257.13 and 262.1, whose wordings it spans). Null when merged, or when the version logs nothing for it.
     */
    public record Verdict(boolean merged, String because, String evidence) {
        public Verdict(boolean merged, String because) {
            this(merged, because, null);
        }

        /** The evidence pattern for the image named {@code name}. */
        public String evidenceFor(String name) {
            return evidence == null ? null : evidence.replace("NAME", java.util.regex.Pattern.quote(name));
        }
    }

    /** What every version logs at debug level for an image without a release file for its name. */
    public static final String NO_RELEASE_EVIDENCE = "Extension 'NAME' carries no (extension-)?release data, ignoring";

    public static Verdict judge(int systemd, Map<String, String> host, Map<String, String> ext) {
        return judge(SystemdVersion.major(systemd), host, ext);
    }

    /** @param systemd the release the node reported at boot, so that point-release backports count */
    public static Verdict judge(SystemdVersion systemd, Map<String, String> host, Map<String, String> ext) {
        if (ext == null) {
            return new Verdict(false, "the extension carries no extension-release for its name");
        }
        String scope = ext.get("SYSEXT_SCOPE");
        if (scope != null && Capability.SYSEXT_SCOPE.in(systemd) && !words(scope).contains("system")) {
            return new Verdict(false, "SYSEXT_SCOPE=" + scope + " does not include 'system'",
                    "Extension 'NAME' is not suitable for scope system, ignoring");
        }
        String arch = ext.get("ARCHITECTURE");
        if (arch != null && Capability.ARCHITECTURE.in(systemd) && !arch.equals("_any") && !arch.equals(HOST_ARCHITECTURE)) {
            return new Verdict(false, "ARCHITECTURE=" + arch + " is not the host's " + HOST_ARCHITECTURE,
                    "Extension 'NAME' is for architecture '" + q(arch) + "', but deployed on top of '" + HOST_ARCHITECTURE + "'");
        }
        String id = ext.get("ID");
        if (id == null) {
            return new Verdict(false, "the extension-release has no ID");
        }
        if (id.equals("_any") && Capability.ID_ANY.in(systemd)) {
            return new Verdict(true, "ID=_any matches every host (systemd >= " + Capability.ID_ANY.since() + ")");
        }
        String hostId = host.get("ID");
        if (!id.equals(hostId)) {
            boolean like = Capability.ID_LIKE.in(systemd) && words(host.getOrDefault("ID_LIKE", "")).contains(id);
            if (!like) {
                return new Verdict(false, "ID=" + id + " is not the host's ID=" + hostId
                        + (id.equals("_any") ? " (ID=_any needs systemd >= " + Capability.ID_ANY.since() + ")" : ""),
                        "Extension 'NAME' is for OS '" + q(id) + "', but deployed on top of '" + q(hostId) + "'");
            }
        }
        String idMatch = id.equals(hostId) ? "" : "ID=" + id + " is in the host's ID_LIKE (matched by systemd "
                + systemd + "); ";
        String hostLevel = host.get("SYSEXT_LEVEL");
        String hostVersion = host.get("VERSION_ID");
        if (hostLevel == null && hostVersion == null) {
            return new Verdict(true, idMatch + "the host has neither VERSION_ID nor SYSEXT_LEVEL: the ID match suffices");
        }
        String extLevel = ext.get("SYSEXT_LEVEL");
        if (hostLevel != null && extLevel != null) {
            return extLevel.equals(hostLevel)
                    ? new Verdict(true, idMatch + "SYSEXT_LEVEL=" + extLevel + " equals the host's")
                    : new Verdict(false, "SYSEXT_LEVEL=" + extLevel + " is not the host's " + hostLevel,
                    "Extension 'NAME' is for (sysext )?API level '" + q(extLevel) + "', but running on (sysext )?API level '"
                            + q(hostLevel) + "'");
        }
        if (hostVersion == null) {
            // extension_release_validate() compares VERSION_ID only when the host has one; measured on 252.39, 254.26,
            // 257.13 and 262.1: merged even with a VERSION_ID of the extension's own
            return new Verdict(true, idMatch + "the host has SYSEXT_LEVEL=" + hostLevel + " but no VERSION_ID and the extension no"
                    + " SYSEXT_LEVEL: no version check applies, the ID match suffices");
        }
        String extVersion = ext.get("VERSION_ID");
        if (extVersion == null) {
            return new Verdict(false, "the extension has no VERSION_ID to match the host's " + hostVersion,
                    "Extension 'NAME' does not contain VERSION_ID in (extension-release|release file) but requested to match '"
                            + q(hostVersion) + "'");
        }
        return hostVersion.equals(extVersion)
                ? new Verdict(true, idMatch + "VERSION_ID=" + extVersion + " equals the host's")
                : new Verdict(false, "VERSION_ID=" + extVersion + " is not the host's " + hostVersion,
                "Extension 'NAME' is for OS '" + q(extVersion) + "', but deployed on top of '" + q(hostVersion) + "'");
    }

    private static String q(String literal) {
        return java.util.regex.Pattern.quote(literal);
    }

    private static List<String> words(String s) {
        return Arrays.asList(s.trim().split("\\s+"));
    }

    /** Parses os-release / extension-release text: KEY=value lines, quotes removed, comments skipped. */
    /**
     * What the way an extension is shipped adds to {@code release}, the verdict on its extension-release alone: the
     * file must be named for the image (extension-release.IMAGE), and a plain squashfs .raw has no verity, so an
     * image policy that demands it ({@link Capability#IMAGE_POLICY}) refuses it.
     *
     * @param releaseName the suffix of the extension-release file, or null when there is none
     * @param imagePolicy the flavor's drop-in --image-policy, or null
     */
    public static Verdict shipped(Verdict release, String releaseName, String imageName, boolean squashfsRaw, String imagePolicy) {
        if (!release.merged()) {
            return release;
        }
        if (releaseName != null && !releaseName.equals(imageName)) {
            return new Verdict(false, "its extension-release file is extension-release." + releaseName
                    + ", named for another image than '" + imageName + "'");
        }
        if (squashfsRaw && imagePolicy != null) {
            return new Verdict(false, "the drop-in's --image-policy=" + imagePolicy + " refuses a squashfs without verity ("
                    + Capability.IMAGE_POLICY.source() + ")");
        }
        return release;
    }

    public static Map<String, String> parseRelease(String text) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq < 1) {
                continue;
            }
            String v = l.substring(eq + 1);
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                v = v.substring(1, v.length() - 1);
            }
            m.put(l.substring(0, eq), v);
        }
        return m;
    }
}
