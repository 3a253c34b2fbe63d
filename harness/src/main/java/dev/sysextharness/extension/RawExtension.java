package dev.sysextharness.extension;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An author's extension given as a squashfs image file ({@code run --extension NAME.raw}): unpacked on the host with
 * unsquashfs so the oracle can read its extension-release and files, and shipped to nodes as it is, under its own
 * file name — the name systemd-sysext gives it. Disk images with partitions (DDIs, as systemd-repart makes) are not
 * read yet.
 */
public final class RawExtension {
    private static final byte[] SQUASHFS_MAGIC = "hsqs".getBytes(StandardCharsets.US_ASCII);

    private RawExtension() {
    }

    /** Unpacks {@code raw} into {@code workDir} and returns the definition directory made from it. */
    public static Path materialize(Path raw, Path workDir) {
        String file = raw.getFileName().toString();
        if (!file.endsWith(".raw") || file.length() == ".raw".length()) {
            throw new ConfigException(raw + ": an extension image file is named NAME.raw (systemd-sysext takes NAME from it)");
        }
        String imageName = file.substring(0, file.length() - ".raw".length());
        String name = imageName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        Path home = workDir.resolve(name.isEmpty() ? "raw" : name);
        try {
            if (!isSquashfs(raw)) {
                throw new ConfigException(raw + ": not a squashfs image (disk images with partitions are not supported yet)");
            }
            LayerFlattener.deleteTree(workDir);
            Files.createDirectories(home);
            unsquash(raw, home.resolve("rootfs"), workDir.resolve("unsquashfs.log"));
            TreeDefinition.write(home, home.getFileName().toString(), raw.toString(), imageName, raw);
        } catch (IOException e) {
            throw new HarnessException("cannot unpack " + raw + " into " + workDir + ": " + e.getMessage(), e);
        }
        return home;
    }

    static boolean isSquashfs(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(SQUASHFS_MAGIC.length), SQUASHFS_MAGIC);
        }
    }

    private static void unsquash(Path raw, Path into, Path log) throws IOException {
        Process p = new ProcessBuilder("unsquashfs", "-no-progress", "-d", into.toString(), raw.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HarnessException("unsquashfs did not finish " + raw + " within 120 s; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            String last = Files.readString(log).strip().lines().reduce((a, b) -> b).orElse("");
            throw new ConfigException(raw + ": unsquashfs cannot read it (exit " + p.exitValue() + "): " + last);
        }
    }
}
