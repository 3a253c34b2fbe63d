package dev.sysextharness.flavor;

/**
 * The systemd capability model: what systemd-sysext does from which version, one row per behaviour, each with
 * the source it comes from. Scenarios declare the rows they need or whose value decides their expectation; they
 * never branch on a version number of their own.
 */
public enum Capability {
    SYSEXT(248, "systemd-sysext and systemd-sysext.service exist; merge/unmerge/refresh/list/status",
            "systemd 248 release notes; man systemd-sysext (v248 tags)"),
    SYSEXT_SCOPE(250, "SYSEXT_SCOPE= decides whether the host (scope 'system') merges an extension",
            "systemd PR #21448 (merged 2021-11, released in 250); TEST-50 fixture app1 (SYSEXT_SCOPE=portable)"),
    STRICT_XATTR(250, "a single release file named for another image is accepted with user.extension-release.strict=false",
            "systemd PR #20281 (released in 250); TEST-50 fixture app1 ships extension-release.app2 with the xattr"),
    ID_ANY(252, "ID=_any matches every host and skips the version checks",
            "systemd PR #24263 (released in 252); src/shared/extension-util.c extension_release_validate()"),
    ARCHITECTURE(252, "ARCHITECTURE= must match the host's (x86-64) unless absent or _any",
            "systemd PR #24263 (released in 252); src/shared/extension-util.c"),
    IMAGE_POLICY(254, "--image-policy= exists; Kairos's root=verity+absent:usr=verity+absent refuses an unprotected squashfs",
            "man systemd-sysext: --image-policy= 'Added in version 254'; kairos-init 99_sysext.yaml"),
    OS_RELEASE_FAILS_MERGE(254, "an extension shipping usr/lib/os-release makes the whole refresh fail (checked at discovery:"
            + " exit 1, 'Failed to read metadata for image NAME: No medium found'); before, the merge is refused with exit 0"
            + " ('Extension image contains /usr/lib/os-release file, which is not allowed …, refusing.'); nothing merges either way",
            "systemd PR #27044 (released in 254); TEST-50 'app-reject'; measured here on a directory extension beside a good one",
            "252.39 (exit 0, refused) 254.26 257.13 262.1 (exit 1)"),
    BROKEN_IMAGE_FAILS_REFRESH(248, "an image whose metadata cannot be read — an unreadable .raw, or a .raw without an"
            + " extension-release file for its image name — fails the whole refresh: exit 1, 'Failed to read metadata for image"
            + " NAME: Package not installed' (unreadable) or '…: No medium found' (no release for its name); nothing merges",
            "systemd issue #32965 (252: 'Failed to read metadata for image'), closed as a duplicate of the still open"
                    + " #32762 (seen on 256~rc1: 'If one image fails to mount, then no extension is merged'); the fix,"
                    + " PR #32967 'sysext: ignore invalid image files', was never merged",
            "252.39 254.26 257.13 262.1"),
    POLICY_REFUSAL_FAILS_REFRESH(257, "an image the --image-policy refuses ('PATH: Image does not match image policy.'), or"
            + " whose signature the kernel refuses with nothing to fall back to, fails the refresh: exit 1 and 'Failed to merge"
            + " hierarchies'; before, the refresh exits 0 having merged nothing (after a refused signature: 'Failed to decrypt"
            + " image: Device or resource busy')",
            "measured here: a plain squashfs beside a good directory extension under Kairos's verity policy; 255 and 256"
                    + " were not measured, so the row starts at the first release seen failing (kairos#4988)",
            "254.26 (exit 0, nothing merged) 257.13 262.1 (exit 1); refused signatures: 252.39 254.26 (exit 0) 257.13 262.1 (exit 1)"),
    IMAGE_NAME_STRIPS_CLASS_SUFFIX(257, "a NAME.sysext.raw image is named NAME; before, it is named NAME.sysext and needs"
            + " extension-release.NAME.sysext (version suffixes such as NAME_1.2.raw are never stripped)",
            "measured here with systemd-sysext list: b.sysext.raw is 'b.sysext' on 252.39 and 254.26, 'b' on 257.13 and 262.1;"
                    + " c_1.2.raw is 'c_1.2' on all four (src/shared/discover-image.c extract_image_basename(); 255 and 256"
                    + " not measured)",
            "252.39 254.26 257.13 262.1"),
    RELEASE_NAMED_WITHOUT_VERSION(254, "a .raw image named NAME_VERSION (tools_1.2.raw) may carry extension-release.NAME, the"
            + " name before the first '_' (its image name stays NAME_VERSION); before, only extension-release.NAME_VERSION fits",
            "measured here with squashfs images: tools_1.2.raw and tools_1.2.sysext.raw carrying extension-release.tools merge on"
                    + " 254.26 and 257.13 (and pass metadata on 262.1), fail with 'No medium found' on 252.39; tools-1.2.raw and"
                    + " tools.v1.raw fail on all (only '_' separates a version)",
            "252.39 254.26 257.13 262.1"),
    USING_LINE_NAMES_RAW_FILES(257, "'Using extensions' names a .raw image by its file name ('keep.raw'); before, by its image"
            + " name ('keep')", "measured here", "252.39 254.26 257.13 262.1"),
    NO_SUITABLE_SAYS_IMAGES(254, "when every image is ignored the log says 'No suitable extensions found (N ignored due to"
            + " incompatible image(s)).'; 252 says '… incompatible version).'", "measured here", "252.39 254.26 257.13 262.1"),
    STATUS_EMPTY_AS_EMPTY_LIST(262, "status shows a hierarchy with nothing merged as [] in JSON and '-' in text; before, as"
            + " \"none\" in both", "measured here; 258 to 261 not measured, so the row starts at the first release seen",
            "257.13 ('none') 262.1 ([] and '-')"),
    USERSPACE_VERITY_SIGNATURE(252, "a DDI signed with a certificate the kernel does not know merges under a policy that asks"
            + " for 'signed' when the certificate is in /run/verity.d or /etc/verity.d: the kernel refuses the signature"
            + " ('Required key not available') and systemd checks it in userspace",
            "measured here: a DDI made by systemd-repart --make-ddi=sysext, signed with a key made for the run, its certificate"
                    + " copied to /run/verity.d (and, separately, /etc/verity.d), refreshed under root=signed+absent:usr=signed+absent;"
                    + " the reference nodes boot without Secure Boot, so the kernel's keyrings hold no run certificate; before 252"
                    + " not measured, so the row starts at the first release seen",
            "252.39 254.26 257.13 262.1 (merged, after the kernel's 'Required key not available')"),
    SIGNED_FALLS_BACK_TO_VERITY(262, "a DDI signed with a certificate nobody trusts merges as plain verity wherever the policy"
            + " allows 'verity' (systemd's default, Kairos's root=verity+signed+absent of v3.7 to v4.2): the kernel refuses the"
            + " signature, and systemd sets the image up again without it; before, the refresh fails ('Required key not"
            + " available', 'Failed to merge hierarchies') unless the policy does not ask for 'signed' at all",
            "kairos#4425 (an untrusted signature merged under the v3.7 UKI policy; fixed in Kairos by PR #4444,"
                    + " root=signed+absent:usr=signed+absent); measured here with a DDI signed by a key nobody trusts under"
                    + " no policy and Kairos's three; 258 to 261 not measured, so the row starts at the first release seen",
            "252.39 254.26 257.13 (not merged) 262.1 (merged as verity)"),
    MUTABLE(256, "--mutable= and /var/lib/extensions.mutable: writes to a merged hierarchy land there",
            "man systemd-sysext: --mutable= 'Added in version 256'; PR #31000; TEST-50 mutable cases"),
    NESTED_MOUNTS(257, "mounts below a hierarchy are carried into and out of the overlay",
            "systemd PR #34381 (released in 257); TEST-50 'mountpoint /usr/share' before/after"),
    ID_LIKE(258, "an extension's ID matching the host's ID_LIKE is accepted",
            "systemd PR #37648 (released in 258); backported to v257-stable by PR #38128 (2025-07): the upstream"
                    + " 257.13 source (Debian trixie's systemd_257.13.orig.tar.gz, src/shared/extension-util.c) matches"
                    + " ID_LIKE; the first 257.x carrying it is not known here, so 257.13 is the earliest assumed",
            new SystemdVersion(257, 13)),
    REFRESH_SKIPS_UNCHANGED(260, "refresh does nothing when no extension changed, unless --always-refresh=yes ('Skipping"
            + " extension refresh because no change was found'); before, it unmerges and merges again",
            "systemd issue #41523 ('worked as expected in systemd-259'); PR #39980",
            "252.39 254.26 257.13 (re-merge) 262.1 (skipped)");

    private final int since;
    private final String behaviour;
    private final String source;
    private final SystemdVersion backport;
    private final String measured;

    Capability(int since, String behaviour, String source) {
        this(since, behaviour, source, null, "");
    }

    Capability(int since, String behaviour, String source, String measured) {
        this(since, behaviour, source, null, measured);
    }

    Capability(int since, String behaviour, String source, SystemdVersion backport) {
        this(since, behaviour, source, backport, "");
    }

    /**
     * @param backport the earliest stable point release of an older major known to carry the behaviour
     * @param measured the point releases on which the reference flavors showed it (empty: taken from the source alone)
     */
    Capability(int since, String behaviour, String source, SystemdVersion backport, String measured) {
        this.since = since;
        this.behaviour = behaviour;
        this.source = source;
        this.backport = backport;
        this.measured = measured;
    }

    /** The point releases of the reference flavors on which the row was measured, empty when it rests on its source. */
    public String measured() {
        return measured;
    }

    public int since() {
        return since;
    }

    public String behaviour() {
        return behaviour;
    }

    public String source() {
        return source;
    }

    /** Whether a systemd of this major version has the behaviour (no backport assumed: the point release is unknown). */
    public boolean in(int systemdVersion) {
        return in(SystemdVersion.major(systemdVersion));
    }

    /** Whether this release has the behaviour: from its major version on, or from a backport's point release. */
    public boolean in(SystemdVersion v) {
        return v.major() >= since || backport != null && v.major() == backport.major() && v.point() >= backport.point();
    }

    /** The reason a scenario needing this row does not apply to a flavor. */
    public String missingIn(Flavor flavor) {
        return behaviour + " needs systemd >= " + since + "; flavor " + flavor.name() + " has " + flavor.systemdVersion()
                + " (" + source + ")";
    }
}
