package dev.sysextharness.image;

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
        return new ContentHash()
                .addTree("recipe", recipeDir)
                .add("suite", spec.suite())
                .add("mirror", spec.mirror())
                .add("backports", Boolean.toString(spec.backports()))
                .add("hierarchies", flavor.sysext().hierarchyVariable())
                .add("imagePolicy", flavor.sysext().imagePolicy())
                .hex();
    }

    public ReferenceImage build(Flavor flavor, Progress progress) {
        ReferenceImageSpec spec = spec(flavor);
        Path dir = cache.getOrBuild(KIND, key(flavor), (into, p) -> runRecipe(flavor, spec, into, p), progress);
        return load(dir);
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
        env.put("SYSEXT_HIERARCHIES", flavor.sysext().hierarchyVariable());
        env.put("IMAGE_POLICY", flavor.sysext().imagePolicy() == null ? "" : flavor.sysext().imagePolicy());
        Path log = into.resolve("build.log");
        Process p = OwnedProcesses.startTree(pb);
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
             var w = Files.newBufferedWriter(log)) {
            for (String line; (line = r.readLine()) != null; ) {
                w.write(line);
                w.newLine();
                if (tail.size() == LOG_TAIL) {
                    tail.removeFirst();
                }
                tail.addLast(line);
                if (line.startsWith("step ") || line.startsWith("I: ")) {
                    progress.step("  " + line);
                }
            }
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            OwnedProcesses.end(p, 5000);
            Thread.currentThread().interrupt();
            throw new HarnessException("reference image build interrupted", e);
        }
        if (exit != 0) {
            throw new HarnessException("reference image build for " + flavor.name() + " failed (exit " + exit
                    + "); last lines:\n  " + String.join("\n  ", tail));
        }
    }

    private static ReferenceImageSpec spec(Flavor flavor) {
        ReferenceImageSpec spec = flavor.image().reference();
        if (spec == null) {
            throw new HarnessException("flavor " + flavor.name() + " is not a reference flavor");
        }
        return spec;
    }
}
