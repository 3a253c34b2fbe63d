package dev.sysextharness.host;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The host programs the harness starts, and the Debian packages that provide them. */
public final class HostTools {
    /** command → Debian package. */
    public static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("qemu-system-x86_64", "qemu-system-x86");
        REQUIRED.put("qemu-img", "qemu-utils");
        REQUIRED.put("mmdebstrap", "mmdebstrap");
        REQUIRED.put("mkfs.ext4", "e2fsprogs");
        REQUIRED.put("sfdisk", "fdisk");
        REQUIRED.put("socat", "socat");
        REQUIRED.put("setpriv", "util-linux");
        REQUIRED.put("unshare", "util-linux");
        REQUIRED.put("docker-registry", "docker-registry");
        REQUIRED.put("xorriso", "xorriso");
        REQUIRED.put("mksquashfs", "squashfs-tools");
        REQUIRED.put("bsdtar", "libarchive-tools");
    }

    private HostTools() {
    }

    /** Fails with the exact install command if any required program is missing. */
    public static void require(List<String> commands) {
        TreeSet<String> packages = new TreeSet<>();
        TreeSet<String> missing = new TreeSet<>();
        for (String c : commands) {
            if (!onPath(c)) {
                missing.add(c);
                packages.add(REQUIRED.getOrDefault(c, c));
            }
        }
        if (!missing.isEmpty()) {
            throw new HarnessException("missing host programs " + missing + "; install them as root with: apt-get install -y "
                    + String.join(" ", packages) + " (harness/bin/sysext-harness does this for you when run as root)");
        }
    }

    public static void requireAll() {
        require(List.copyOf(REQUIRED.keySet()));
    }

    /** Whether {@code command} is an executable in a PATH directory, or in /usr/sbin or /sbin. */
    public static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
