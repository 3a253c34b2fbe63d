package dev.sysextharness.image;

import dev.sysextharness.host.ImageCache;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.KairosImageSpec;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a Kairos flavor's release ISO, in this order: a local file named by the flavor (or {@code --iso PATH});
 * the same file name in {@code SYSEXT_HARNESS_ISO_DIR}; the download cache; a download. The checksum is the
 * flavor's (or {@code --sha256}), else the first field of the published {@code .sha256} line; a local ISO
 * without one is hashed as it is. The checksum keys every installed disk made from the ISO.
 */
public final class KairosIso {
    public static final String ISO_DIR_ENV = "SYSEXT_HARNESS_ISO_DIR";

    private final Downloader downloader;
    private final Path isoDir;

    /** @param isoDir where users keep downloaded ISOs (may be null) */
    public KairosIso(Downloader downloader, Path isoDir) {
        this.downloader = downloader;
        this.isoDir = isoDir;
    }

    public static KairosIso inCache(ImageCache cache) {
        String dir = System.getenv(ISO_DIR_ENV);
        return new KairosIso(new Downloader(cache.root().resolve("downloads")), dir == null || dir.isBlank() ? null : Path.of(dir));
    }

    /** A located ISO and its sha256. */
    public record Located(Path file, String sha256) {
    }

    /**
     * The ISO if it can be had without the network (local file, ISO dir, download cache), else null. Used to gate
     * the real-ISO tests and to tell users, before anything boots, that a run will download.
     */
    public Path local(Flavor flavor) {
        KairosImageSpec spec = spec(flavor);
        if (spec.isoPath() != null) {
            return Files.isRegularFile(spec.isoPath()) ? spec.isoPath() : null;
        }
        Path inDir = inIsoDir(spec);
        if (inDir != null) {
            return inDir;
        }
        return spec.sha256() == null ? null : downloader.cached(spec.sha256(), spec.fileName());
    }

    public Located locate(Flavor flavor, Progress progress) {
        KairosImageSpec spec = spec(flavor);
        if (spec.isoPath() != null) {
            if (!Files.isRegularFile(spec.isoPath())) {
                throw new ConfigException("flavor " + flavor.name() + ": ISO " + spec.isoPath() + ": no such file");
            }
            return verifiedLocal(flavor, spec, spec.isoPath(), progress);
        }
        Path inDir = inIsoDir(spec);
        if (inDir != null) {
            return verifiedLocal(flavor, spec, inDir, progress);
        }
        String sha256 = spec.sha256();
        if (sha256 == null) {
            progress.step(flavor.name() + ": no checksum pinned; reading " + spec.checksumUrl());
            sha256 = firstField(downloader.fetchText(spec.checksumUrl()), spec);
        }
        Path downloaded = downloader.fetch(java.net.URI.create(spec.isoUrl()), sha256, spec.fileName(), progress);
        try {
            requireIso9660(downloaded, "flavor " + flavor.name() + ": " + spec.isoUrl());
        } catch (ConfigException e) {
            throw new HarnessException(e.getMessage() + " (its checksum matched: the published file itself is wrong)", e);
        }
        return new Located(downloaded, sha256);
    }

    /**
     * Refuses a file that is not an ISO 9660 image (the primary volume descriptor's "CD001" at byte 32769) before any
     * install boots it: a wrong file would otherwise only show as an install that never powers off.
     */
    public static void requireIso9660(Path file, String what) {
        byte[] magic = new byte[5];
        try (var in = Files.newInputStream(file)) {
            long skipped = in.skip(0x8001);
            if (skipped != 0x8001 || in.readNBytes(magic, 0, 5) != 5 || !new String(magic, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals("CD001")) {
                throw new ConfigException(what + ": not an ISO 9660 image (no CD001 volume descriptor at byte 32769)");
            }
        } catch (java.io.IOException e) {
            throw new ConfigException(what + ": cannot read it: " + e.getMessage(), e);
        }
    }

    private Path inIsoDir(KairosImageSpec spec) {
        if (isoDir == null) {
            return null;
        }
        Path file = isoDir.resolve(spec.fileName());
        return Files.isRegularFile(file) ? file : null;
    }

    private static Located verifiedLocal(Flavor flavor, KairosImageSpec spec, Path file, Progress progress) {
        requireIso9660(file, "flavor " + flavor.name() + ": ISO " + file);
        progress.step(flavor.name() + ": hashing " + file);
        String actual = Downloader.sha256Of(file);
        if (spec.sha256() != null && !spec.sha256().equals(actual)) {
            throw new ConfigException("flavor " + flavor.name() + ": " + file + " has sha256 " + actual + " but " + spec.sha256()
                    + " was expected; use the matching ISO or pass --sha256");
        }
        return new Located(file, actual);
    }

    /** {@code sha256sum} output ("HASH  artifacts/NAME.iso"): only the first field counts (the path is the builder's). */
    static String firstField(String line, KairosImageSpec spec) {
        String first = line.strip().split("\\s+", 2)[0].toLowerCase();
        if (!first.matches("[0-9a-f]{64}")) {
            throw new HarnessException(spec.checksumUrl() + ": expected a sha256 line, got '"
                    + line.strip().lines().findFirst().orElse("") + "'; pass --sha256 HEX");
        }
        return first;
    }

    private static KairosImageSpec spec(Flavor flavor) {
        if (flavor.image().kairos() == null) {
            throw new ConfigException("flavor " + flavor.name() + " is not a kairos flavor; it has no ISO");
        }
        return flavor.image().kairos();
    }
}
