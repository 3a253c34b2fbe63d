package dev.sysextharness.sysext;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * An image policy (man systemd.image-policy) as far as a sysext image is concerned: which protections each partition
 * designator may have. A sysext image has one data partition, {@code root} (a naked file system counts as root) or
 * {@code usr}, so only those two entries and the default entry ({@code =…}) matter here.
 *
 * @param text    the policy as written, or null for systemd-sysext's own default
 * @param allowed designator → the flags allowed for it (verity, signed, encrypted, unprotected, absent, unused)
 */
public record ImagePolicy(String text, Map<String, Set<String>> allowed) {
    private static final Set<String> ALL = Set.of("verity", "signed", "encrypted", "unprotected", "absent", "unused");

    /**
     * systemd-sysext's policy when none is given: everything but the encrypted-only cases (man systemd-sysext,
     * --image-policy=: "root=verity+signed+encrypted+unprotected+absent:usr=verity+signed+encrypted+unprotected+absent").
     */
    public static final ImagePolicy SYSEXT_DEFAULT = parse(
            "root=verity+signed+encrypted+unprotected+absent:usr=verity+signed+encrypted+unprotected+absent");

    /** Kairos's policy for non-UKI installs (kairos-init 99_sysext.yaml, v3.7.x). */
    public static final String KAIROS_NON_UKI = "root=verity+absent:usr=verity+absent";
    /** Kairos's UKI policy of v3.7 to v4.2 (kairos-uki.conf), which kairos#4425 showed to merge untrusted signatures. */
    public static final String KAIROS_UKI_V37 = "root=verity+signed+absent:usr=verity+signed+absent";
    /** Kairos's UKI policy after kairos PR #4444 (2026-09). */
    public static final String KAIROS_UKI = "root=signed+absent:usr=signed+absent";

    /** Parses a policy; null or blank is systemd-sysext's default. */
    public static ImagePolicy parse(String text) {
        if (text == null || text.isBlank()) {
            return new ImagePolicy(null, SYSEXT_DEFAULT.allowed);
        }
        Map<String, Set<String>> allowed = new LinkedHashMap<>();
        String t = text.strip();
        // the three shorthands for the whole policy
        if (t.equals("*") || t.equals("-") || t.equals("~")) {
            allowed.put("=", flags(t, text));
            return new ImagePolicy(text, allowed);
        }
        for (String entry : t.split(":")) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("image policy '" + text + "': entry '" + entry + "' has no '='");
            }
            allowed.put(eq == 0 ? "=" : entry.substring(0, eq), flags(entry.substring(eq + 1), text));
        }
        return new ImagePolicy(text, allowed);
    }

    private static Set<String> flags(String value, String text) {
        switch (value) {
            case "*":
                return ALL;
            case "-":
                return Set.of("unused", "absent");
            case "~":
                return Set.of("absent");
            default:
                Set<String> s = new LinkedHashSet<>();
                for (String f : value.split("\\+")) {
                    if (!ALL.contains(f)) {
                        throw new IllegalArgumentException("image policy '" + text + "': unknown flag '" + f + "'");
                    }
                    s.add(f);
                }
                return Set.copyOf(s);
        }
    }

    /** Whether the policy lets {@code designator}'s partition be {@code protection} (the policy's word). */
    public boolean allows(String designator, String protection) {
        Set<String> flags = allowed.get(designator);
        if (flags == null) {
            // a designator the policy does not name takes the default entry; without one, the partition must be absent
            flags = allowed.getOrDefault("=", Set.of("absent", "unused"));
        }
        return flags.contains(protection);
    }

    /** The policy as the report says it. */
    public String describe() {
        return text == null ? "systemd-sysext's default policy (" + SYSEXT_DEFAULT.text() + ")" : "--image-policy=" + text;
    }
}
