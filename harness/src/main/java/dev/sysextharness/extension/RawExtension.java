package dev.sysextharness.extension;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An author's extension given as an image file ({@code run --extension NAME.raw}): a naked squashfs or erofs, or a DDI
 * (a GPT disk image with a root or /usr partition, maybe verity, maybe signed, as systemd-repart makes). Its tree is
 * unpacked on the host (unsquashfs, fsck.erofs --extract; a DDI's data partition first copied out) so the oracle can
 * read its extension-release and files; what an image policy sees of it (layout, protection, signer) goes into the
 * definition; and the file is shipped to nodes as it is, under its own file name — the name systemd-sysext gives it.
 */
public final class RawExtension {
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
            DiskImage image = DiskImage.read(raw);
            if (image.layout() == DiskImage.Layout.UNKNOWN) {
                throw new ConfigException(raw + ": not an extension image: neither a squashfs, an erofs, nor a DDI (a GPT disk"
                        + " image with a root or /usr partition)" + (image.partitions().isEmpty() ? ""
                        : "; its partition table has no x86-64 root or /usr partition"));
            }
            if (!image.fileSystem().equals("squashfs") && !image.fileSystem().equals("erofs")) {
                throw new ConfigException(raw + ": " + image.describe() + ": its " + image.designator()
                        + " partition holds neither a squashfs nor an erofs, which is all the harness can read");
            }
            dev.sysextharness.host.Trees.delete(workDir);
            Files.createDirectories(home);
            DiskImage.Partition data = image.data();
            unpack(raw, image.fileSystem(), data == null ? 0 : data.offset(), data == null ? Files.size(raw) : data.size(),
                    home.resolve("rootfs"), workDir);
            TreeDefinition.write(home, home.getFileName().toString(), raw.toString(), imageName, raw, null, image);
        } catch (IOException e) {
            throw new HarnessException("cannot unpack " + raw + " into " + workDir + ": " + e.getMessage(), e);
        }
        return home;
    }

    private static void unpack(Path raw, String fileSystem, long offset, long size, Path into, Path workDir) throws IOException {
        Path log = workDir.resolve(fileSystem.equals("squashfs") ? "unsquashfs.log" : "fsck.erofs.log");
        if (fileSystem.equals("squashfs")) {
            run(raw, List.of("unsquashfs", "-no-progress", "-o", Long.toString(offset), "-d", into.toString(), raw.toString()), log);
            return;
        }
        Path source = raw;
        if (offset > 0) {
            // fsck.erofs reads a file from its start: the partition is copied out first
            source = workDir.resolve("partition.img");
            try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long done = 0; done < size; ) {
                    done += in.transferTo(offset + done, size - done, out);
                }
            }
        }
        run(raw, List.of("fsck.erofs", "--extract=" + into, source.toString()), log);
        if (offset > 0) {
            Files.delete(source);
        }
    }

    private static void run(Path raw, List<String> command, Path log) throws IOException {
        String tool = command.get(0);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HarnessException(tool + " did not finish " + raw + " within 120 s; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            String last = Files.readString(log).strip().lines().reduce((a, b) -> b).orElse("");
            throw new ConfigException(raw + ": " + tool + " cannot read it (exit " + p.exitValue() + "): " + last);
        }
    }
}
