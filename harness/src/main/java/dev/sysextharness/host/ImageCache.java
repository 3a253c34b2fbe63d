package dev.sysextharness.host;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Build products keyed by a hash of everything that shapes them. An entry is built in a private temporary
 * directory and renamed into place only when complete, so an interrupted build never leaves an entry a later
 * run would use; a per-key lock keeps two harness processes from building the same entry at once.
 */
public final class ImageCache {
    /** Marks a finished entry; written last, inside the temporary directory, before the rename. */
    static final String COMPLETE = ".complete";

    /** File locks exclude other processes; these exclude other threads of this one (FileChannel.lock would throw). */
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path root;

    public ImageCache(Path root) {
        this.root = root;
    }

    /** {@code $SYSEXT_HARNESS_CACHE}, else {@code $XDG_CACHE_HOME/sysext-harness}, else {@code ~/.cache/sysext-harness}. */
    public static ImageCache defaultLocation() {
        String explicit = System.getenv("SYSEXT_HARNESS_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return new ImageCache(Path.of(explicit));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new ImageCache(base.resolve("sysext-harness"));
    }

    public Path root() {
        return root;
    }

    /** A finished entry, or null. */
    public Path find(String kind, String key) {
        Path entry = root.resolve(kind).resolve(key);
        return Files.isRegularFile(entry.resolve(COMPLETE)) ? entry : null;
    }

    /** Deletes an entry (a build product found to be unusable). */
    public void remove(String kind, String key) {
        Path entry = root.resolve(kind).resolve(key);
        try {
            if (Files.exists(entry)) {
                Path doomed = Files.createTempDirectory(root.resolve(kind), ".removing-");
                Files.move(entry, doomed.resolve(key), StandardCopyOption.ATOMIC_MOVE);
                deleteTree(doomed);
            }
        } catch (IOException e) {
            throw new HarnessException("cannot remove cache entry " + entry + ": " + e.getMessage(), e);
        }
    }

    /** The finished entry for (kind, key), building it with {@code builder} into a temporary directory if missing. */
    public Path getOrBuild(String kind, String key, Builder builder, Progress progress) {
        return getOrBuild(kind, key, builder, entry -> null, progress);
    }

    /**
     * As above; a finished entry that {@code check} finds damaged (a truncated disk, a missing file) is never used: it
     * is removed, with one line saying what was wrong with it, and built again. A cache holds derived data only.
     */
    public Path getOrBuild(String kind, String key, Builder builder, Check check, Progress progress) {
        Path kindDir = root.resolve(kind);
        Path entry = kindDir.resolve(key);
        ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(entry.toAbsolutePath(), k -> new ReentrantLock());
        threadLock.lock();
        try {
            Files.createDirectories(kindDir);
            try (FileChannel lockFile = FileChannel.open(kindDir.resolve(key + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (Files.isRegularFile(entry.resolve(COMPLETE))) {
                    String damage = check.damage(entry);
                    if (damage == null) {
                        progress.step(kind + " " + shortKey(key) + ": cached at " + entry);
                        return entry;
                    }
                    progress.step(kind + " " + shortKey(key) + ": the cached entry " + entry + " is damaged (" + damage
                            + "); removing it and building it again");
                    remove(kind, key);
                }
                if (Files.exists(entry)) {
                    progress.step(kind + " " + shortKey(key) + ": removing an incomplete entry");
                    deleteTree(entry);
                }
                Path tmp = Files.createTempDirectory(kindDir, ".tmp-" + shortKey(key) + "-");
                try {
                    builder.build(tmp, progress);
                    String damage = check.damage(tmp);
                    if (damage != null) {
                        throw new HarnessException(kind + " " + shortKey(key) + ": the build finished but its product is damaged ("
                                + damage + ")");
                    }
                    Files.writeString(tmp.resolve(COMPLETE), key + "\n");
                    move(tmp, entry);
                } catch (IOException | RuntimeException e) {
                    keepFailureLog(tmp, failureLog(kind, key));
                    throw e;
                } finally {
                    if (Files.exists(tmp)) {
                        deleteTree(tmp);
                    }
                }
                return entry;
            }
        } catch (IOException e) {
            throw new HarnessException("image cache " + entry + ": " + e.getMessage(), e);
        } finally {
            threadLock.unlock();
        }
    }

    /**
     * Where the build log of a failed build of (kind, key) is kept: the build's temporary directory goes, its log
     * stays for the user to read (never an entry: {@link #find} does not see it).
     */
    public Path failureLog(String kind, String key) {
        return root.resolve(kind).resolve(key + ".failed.log");
    }

    private static void keepFailureLog(Path tmp, Path keep) {
        try {
            if (Files.isRegularFile(tmp.resolve("build.log"))) {
                Files.move(tmp.resolve("build.log"), keep, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ignored) {
            // the failure itself is what the caller reports
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
        }
    }

    static String shortKey(String key) {
        return key.length() > 12 ? key.substring(0, 12) : key;
    }

    /** Deletes a directory tree, refusing if anything is mounted beneath it (a build killed mid-way). */
    static void deleteTree(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && (f[4] + "/").startsWith(prefix)) {
                throw new IOException("not deleting " + dir + ": " + f[4] + " is mounted inside it; unmount it first");
            }
        }
        Trees.delete(dir);
    }

    /** What is wrong with a finished entry, or null when it is whole. */
    @FunctionalInterface
    public interface Check {
        String damage(Path entry);

        /** These files exist, and {@code gptDisk} (one of them, or null) has an intact GPT. */
        static Check files(String gptDisk, String... files) {
            return entry -> {
                for (String f : files) {
                    if (!Files.isRegularFile(entry.resolve(f))) {
                        return "no " + f;
                    }
                }
                return gptDisk == null ? null : GptCheck.problem(entry.resolve(gptDisk));
            };
        }
    }

    /** Fills an empty directory with a build product; throws to abandon it. */
    @FunctionalInterface
    public interface Builder {
        void build(Path into, Progress progress) throws IOException;
    }
}
