package dev.sysextharness.install;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a path of the running node lives on COS_PERSISTENT: /usr/local itself, and the state bind mounts
 * (immucore names them /usr/local/.state/&lt;path with '/' as '-'&gt;.bind).
 */
public final class PersistentPaths {
    /** Mount point on the node → directory inside COS_PERSISTENT. Longest prefix first. */
    static final Map<String, String> BINDS = new LinkedHashMap<>();

    static {
        BINDS.put("/var/lib/extensions", ".state/var-lib-extensions.bind");
        BINDS.put("/opt", ".state/opt.bind");
        BINDS.put("/usr/local", "");
    }

    private PersistentPaths() {
    }

    /** The directory inside COS_PERSISTENT that holds {@code nodePath}, e.g. .state/var-lib-extensions.bind/hello. */
    public static String onPersistent(String nodePath) {
        String p = nodePath.replaceAll("/+$", "");
        for (var e : BINDS.entrySet()) {
            if (p.equals(e.getKey()) || p.startsWith(e.getKey() + "/")) {
                String rest = p.substring(e.getKey().length()).replaceFirst("^/", "");
                return e.getValue().isEmpty() ? rest : rest.isEmpty() ? e.getValue() : e.getValue() + "/" + rest;
            }
        }
        throw new IllegalArgumentException("rootfs_path " + nodePath + " is not on persistent storage (expected it under one of "
                + BINDS.keySet() + ")");
    }
}
