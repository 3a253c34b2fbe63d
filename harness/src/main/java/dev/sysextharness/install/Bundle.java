package dev.sysextharness.install;

import java.util.List;

/**
 * One {@code install.bundles} entry: an OCI image unpacked under {@code rootfsPath} at install time.
 *
 * @param rootfsPath e.g. /var/lib/extensions/hello
 * @param targets    e.g. container://10.0.2.100:5000/hello:1
 */
public record Bundle(String rootfsPath, List<String> targets) {
    public static final String CONTAINER = "container://";

    public Bundle {
        if (rootfsPath == null || !rootfsPath.startsWith("/")) {
            throw new IllegalArgumentException("bundle rootfs_path must be absolute, got '" + rootfsPath + "'");
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("bundle for " + rootfsPath + " has no targets");
        }
        targets = List.copyOf(targets);
    }

    public static Bundle container(String rootfsPath, String imageRef) {
        return new Bundle(rootfsPath, List.of(CONTAINER + imageRef));
    }

    /** The image of a {@code container://} target. */
    public String image() {
        String t = targets.get(0);
        if (!t.startsWith(CONTAINER)) {
            throw new IllegalArgumentException("bundle for " + rootfsPath + ": only container:// targets are supported, got " + t);
        }
        return t.substring(CONTAINER.length());
    }
}
