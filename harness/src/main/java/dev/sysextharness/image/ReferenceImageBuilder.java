package dev.sysextharness.image;

import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.ReferenceImageSpec;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Builds (or finds cached) the reference image of a flavor by running the recipe images/reference/build.sh.
 * The cache key covers the recipe files and every flavor field the recipe reads.
 */
public final class ReferenceImageBuilder {
    static final String KIND = "reference";
    private static final int LOG_TAIL = 30;

    private final Path recipeDir;
    private final ImageCache cache;

    public ReferenceImageBuilder(Path recipeDir, ImageCache cache) {
        this.recipeDir = recipeDir;
        this.cache = cache;
    }

    public String key(Flavor flavor) {
        ReferenceImageSpec spec = spec(flavor);
        ContentHash hash = new ContentHash()
                .addTree("recipe", recipeDir)
                .add("suite", spec.suite())
                .add("mirror", spec.mirror())
                .add("backports", Boolean.toString(spec.backports()))
                .add("hierarchies", flavor.sysext().hierarchyVariable())
                .add("imagePolicy", flavor.sysext().imagePolicy())
                .add("directBoot", DirectKernel.VMLINUX + "+" + DirectKernel.INITRD_CPIO + " " + DirectKernel.VERSION);
        // only when set, so that flavors without extra packages keep the images they have
        if (!spec.packages().isEmpty()) {
            hash.add("packages", String.join(",", spec.packages()));
        }
        return hash.hex();
    }

    public ReferenceImage build(Flavor flavor, Progress progress) {
        ReferenceImageSpec spec = spec(flavor);
        Path dir = cache.getOrBuild(KIND, key(flavor), (into, p) -> runRecipe(flavor, spec, into, p),
                ImageCache.Check.files("disk.img", "disk.img", "vmlinuz", "initrd.img", "rootfs.tar", "systemd-version.txt"), progress);
        return load(dir);
    }

    /** The flavor's image if it is built, without building it (for commands that boot nothing). */
    public ReferenceImage find(Flavor flavor) {
        Path dir = cache.find(KIND, key(flavor));
        return dir == null ? null : load(dir);
    }

    private static ReferenceImage load(Path dir) {
        try {
            return new ReferenceImage(dir, Files.readString(dir.resolve("systemd-version.txt")).strip());
        } catch (IOException e) {
            throw new HarnessException("reference image " + dir + " has no systemd-version.txt: " + e.getMessage(), e);
        }
    }

    private void runRecipe(Flavor flavor, ReferenceImageSpec spec, Path into, Progress progress) throws IOException {
        progress.step("building reference image for " + flavor.name() + " (Debian " + spec.suite()
                + "; takes a few minutes the first time, then it is cached)");
        ProcessBuilder pb = new ProcessBuilder(List.of(recipeDir.resolve("build.sh").toString(), into.toString()))
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("SUITE", spec.suite());
        env.put("MIRROR", spec.mirror());
        env.put("BACKPORTS", spec.backports() ? "yes" : "no");
        env.put("EXTRA_PACKAGES", String.join(",", spec.packages()));
        env.put("SYSEXT_HIERARCHIES", flavor.sysext().hierarchyVariable());
        env.put("IMAGE_POLICY", flavor.sysext().imagePolicy() == null ? "" : flavor.sysext().imagePolicy());
        Path log = into.resolve("build.log");
        Process p = OwnedProcesses.startTree(pb);
        Deque<String> tail = new ArrayDeque<>();
        String logProblem = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            var w = Files.newBufferedWriter(log);
            for (String line; (line = r.readLine()) != null; ) {
                // the build's output is read to its end whatever happens to the log (a full disk, say)
                if (logProblem == null) {
                    try {
                        w.write(line);
                        w.newLine();
                    } catch (IOException e) {
                        logProblem = e.getMessage();
                    }
                }
                if (tail.size() == LOG_TAIL) {
                    tail.removeFirst();
                }
                tail.addLast(line);
                if (line.startsWith("step ") || line.startsWith("I: ")) {
                    progress.step("  " + line);
                }
            }
            try {
                w.close();
            } catch (IOException e) {
                logProblem = logProblem != null ? logProblem : e.getMessage();
            }
        } catch (IOException e) {
            OwnedProcesses.end(p, 5000);
            throw new HarnessException(flavor.name() + ": reference image build failed: cannot read its output: " + e.getMessage(), e);
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            OwnedProcesses.end(p, 5000);
            Thread.currentThread().interrupt();
            throw new HarnessException("reference image build interrupted", e);
        }
        if (exit != 0 || logProblem != null) {
            if (logProblem != null) {
                tail.addLast("(writing " + log + " failed: " + logProblem + ")");
            }
            throw new HarnessException(flavor.name() + ": reference image build failed (exit " + exit + "): " + cause(tail)
                    + "; build log: " + cache.failureLog(KIND, key(flavor)) + "\nlast lines:\n  " + String.join("\n  ", tail));
        }
        Files.writeString(log, "step direct boot: " + DirectKernel.unpack(into, progress) + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * The line of a failed build's tail that names its cause best: the first that names a root cause the host can
     * fix (a full disk, a denied permission, an unreachable mirror, a missing package), else the first error line
     * (later ones are consequences, down to "mmdebstrap failed to run"), else the last line.
     */
    static String cause(Iterable<String> tail) {
        String last = "";
        String firstError = null;
        for (String line : tail) {
            String l = line.strip();
            if (l.matches(".*(No space left on device|Permission denied|Temporary failure resolving|Could not resolve|"
                    + "Unable to locate package|Read-only file system).*")) {
                return l;
            }
            if (firstError == null && l.matches("(E:|ERROR|error:|Error:).*")) {
                firstError = l;
            }
            last = l;
        }
        return firstError != null ? firstError : last;
    }

    private static ReferenceImageSpec spec(Flavor flavor) {
        ReferenceImageSpec spec = flavor.image().reference();
        if (spec == null) {
            throw new HarnessException("flavor " + flavor.name() + " is not a reference flavor");
        }
        return spec;
    }
}
