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
    OS_RELEASE_FAILS_MERGE(254, "an extension shipping usr/lib/os-release makes the whole merge fail (checked at discovery)",
            "systemd PR #27044 (released in 254); TEST-50 'app-reject': merge fails, nothing is merged"),
    BROKEN_IMAGE_FAILS_REFRESH(248, "an unreadable .raw next to good extensions fails the whole refresh: nothing merges",
            "systemd issue #32965 (252: 'Failed to read metadata for image'), closed as a duplicate of the still open"
                    + " #32762 (seen on 256~rc1: 'If one image fails to mount, then no extension is merged'); the fix,"
                    + " PR #32967 'sysext: ignore invalid image files', was never merged"),
    MUTABLE(256, "--mutable= and /var/lib/extensions.mutable: writes to a merged hierarchy land there",
            "man systemd-sysext: --mutable= 'Added in version 256'; PR #31000; TEST-50 mutable cases"),
    NESTED_MOUNTS(257, "mounts below a hierarchy are carried into and out of the overlay",
            "systemd PR #34381 (released in 257); TEST-50 'mountpoint /usr/share' before/after"),
    ID_LIKE(258, "an extension's ID matching the host's ID_LIKE is accepted",
            "systemd PR #37648 (released in 258); backported to v257-stable by PR #38128 (2025-07): the upstream"
                    + " 257.13 source (Debian trixie's systemd_257.13.orig.tar.gz, src/shared/extension-util.c) matches"
                    + " ID_LIKE; the first 257.x carrying it is not known here, so 257.13 is the earliest assumed",
            new SystemdVersion(257, 13)),
    REFRESH_SKIPS_UNCHANGED(260, "refresh does nothing when no extension changed, unless --always-refresh=yes",
            "systemd issue #41523 ('worked as expected in systemd-259'); PR #39980");

    private final int since;
    private final String behaviour;
    private final String source;
    private final SystemdVersion backport;

    Capability(int since, String behaviour, String source) {
        this(since, behaviour, source, null);
    }

    /** @param backport the earliest stable point release of an older major known to carry the behaviour */
    Capability(int since, String behaviour, String source, SystemdVersion backport) {
        this.since = since;
        this.behaviour = behaviour;
        this.source = source;
        this.backport = backport;
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
