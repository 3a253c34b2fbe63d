package dev.sysextharness.host;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavors;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkout the harness runs from (vm-configs/, images/, reports/) and the cache it builds into.
 * The root comes from {@code -Dsysext.repoRoot}, {@code $SYSEXT_HARNESS_HOME} (set by bin/sysext-harness),
 * or the nearest parent of the working directory that has vm-configs/. The cache is the one given, else
 * {@code -Dsysext.cacheDir} (a test JVM of the selftest), else {@link ImageCache#defaultLocation()}.
 */
public record Workspace(Path root, ImageCache cache) {

    public static Workspace locate(Path cacheOverride) {
        Path root = configuredRoot();
        String property = System.getProperty("sysext.cacheDir");
        ImageCache cache = cacheOverride != null ? new ImageCache(cacheOverride)
                : property != null && !property.isBlank() ? new ImageCache(Path.of(property)) : ImageCache.defaultLocation();
        return new Workspace(root, cache);
    }

    private static Path configuredRoot() {
        String prop = System.getProperty("sysext.repoRoot");
        if (prop != null && !prop.isBlank()) {
            return check(Path.of(prop));
        }
        String env = System.getenv("SYSEXT_HARNESS_HOME");
        if (env != null && !env.isBlank()) {
            return check(Path.of(env));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("vm-configs")) && Files.isDirectory(p.resolve("images"))) {
                return p;
            }
        }
        throw new ConfigException("cannot find the sysext-harness checkout (a directory with vm-configs/ and images/); "
                + "run from inside it or set SYSEXT_HARNESS_HOME");
    }

    private static Path check(Path root) {
        if (!Files.isDirectory(root.resolve("vm-configs"))) {
            throw new ConfigException(root + " is not a sysext-harness checkout: it has no vm-configs/");
        }
        return root.toAbsolutePath().normalize();
    }

    /** Creates the cache directory if need be and proves this user can write in it; a usage error naming it if not. */
    public void requireWritableCache(String what) {
        Path dir = cache.root();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-probe-", "");
            Files.delete(probe);
        } catch (java.nio.file.FileSystemException e) {
            throw new ConfigException(what + " " + dir + " is not writable (" + e.getFile()
                    + (e.getReason() == null ? "" : ": " + e.getReason()) + "); give a writable directory with --cache-dir");
        } catch (java.io.IOException | SecurityException e) {
            throw new ConfigException(what + " " + dir + " is not writable (" + e.getMessage() + "); give a writable directory with"
                    + " --cache-dir");
        }
    }

    public Flavors flavors() {
        return new Flavors(root.resolve("vm-configs"));
    }

    public Path referenceRecipe() {
        return root.resolve("images").resolve("reference");
    }

    public Path extensionsDir() {
        return root.resolve("images").resolve("extensions");
    }

    public Path reportsDir() {
        return root.resolve("reports");
    }
}
