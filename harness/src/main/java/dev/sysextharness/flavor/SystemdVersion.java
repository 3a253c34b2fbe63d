package dev.sysextharness.flavor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A systemd release as the oracle needs it: the major version a flavor declares, and the point release a node
 * reports ({@code systemctl --version}: "systemd 257 (257.13-1~deb13u1)" is 257.13), because a stable point release
 * can carry a backported behaviour.
 */
public record SystemdVersion(int major, int point) implements Comparable<SystemdVersion> {
    private static final Pattern LINE = Pattern.compile("systemd (\\d+)(?: \\((\\d+)(?:\\.(\\d+))?[^)]*\\))?.*");

    /** A flavor's declared major version, point release unknown (taken as the first, so no backport is assumed). */
    public static SystemdVersion major(int major) {
        return new SystemdVersion(major, 0);
    }

    /** The first line of {@code systemctl --version}; null if it is not one. */
    public static SystemdVersion parse(String versionLine) {
        Matcher m = LINE.matcher(versionLine.strip());
        if (!m.matches()) {
            return null;
        }
        int major = Integer.parseInt(m.group(1));
        boolean samePackage = m.group(2) != null && Integer.parseInt(m.group(2)) == major;
        return new SystemdVersion(major, samePackage && m.group(3) != null ? Integer.parseInt(m.group(3)) : 0);
    }

    @Override
    public int compareTo(SystemdVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(point, o.point);
    }

    @Override
    public String toString() {
        return point == 0 ? Integer.toString(major) : major + "." + point;
    }
}
