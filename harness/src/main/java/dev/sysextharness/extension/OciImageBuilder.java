package dev.sysextharness.extension;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds an extension's OCI image with jib-core, without a Docker daemon: FROM scratch, one layer holding the
 * rootfs tree plus the generated extension-release file, every timestamp fixed, so the same definition always
 * gives the same digest.
 */
public final class OciImageBuilder {
    /** Layer file times: jib's own reproducible default (epoch + 1 s). */
    static final Instant FILE_TIME = Instant.ofEpochSecond(1);

    private final Path jibCache;

    /** @param jibCache where jib keeps its layer cache (inside the harness cache, not ~/.cache/google-cloud-tools-java) */
    public OciImageBuilder(Path jibCache) {
        this.jibCache = jibCache;
    }

    /** Pushes the image to a registry reachable over plain HTTP on loopback; returns its digest (sha256:…). */
    public String push(Extension ext, String reference) {
        return containerize(ext, registry(reference));
    }

    /** A containerizer to a registry reachable over plain HTTP on loopback, and nowhere else. */
    private static Containerizer registry(String reference) {
        ImageReference ref = parse(reference);
        if (!isLoopback(ref.getRegistry())) {
            throw new IllegalArgumentException("refusing to push " + reference + ": only loopback registries are allowed");
        }
        return Containerizer.to(RegistryImage.named(ref)).setAllowInsecureRegistries(true);
    }

    /**
     * Pushes an image holding one file at its root (a NAME.raw DDI, as {@code kairos-agent sysext install oci:…}
     * extracts into its store): FROM scratch, one layer, fixed times, so the same file gives the same digest.
     */
    public String pushFile(Path file, String reference) {
        String name = file.getFileName().toString();
        return containerize("file " + file, name, () -> FileEntriesLayer.builder().setName("file " + name)
                .addEntry(file, AbsoluteUnixPath.get("/" + name), FilePermissions.fromOctalString("644"), FILE_TIME, "0:0").build(),
                registry(reference));
    }

    /** Writes the image as an OCI tarball; returns its digest. */
    public String writeTar(Extension ext, String reference, Path tar) {
        return containerize(ext, Containerizer.to(TarImage.at(tar).named(parse(reference))));
    }

    private String containerize(Extension ext, Containerizer containerizer) {
        try (Staging staging = new Staging(ext)) {
            return containerize("extension " + ext.name(), ext.name(), () -> layer(ext, staging), containerizer);
        } catch (IOException e) {
            throw new HarnessException("cannot build the OCI image of extension " + ext.name() + ": " + e.getMessage(), e);
        }
    }

    /** The one layer of an image, made when the image is. */
    private interface LayerSource {
        FileEntriesLayer get() throws IOException;
    }

    /** FROM scratch, OCI format, epoch creation time, {@code title} as its title label, one layer. */
    private String containerize(String what, String title, LayerSource layer, Containerizer containerizer) {
        try {
            JibContainerBuilder builder = Jib.fromScratch()
                    .setFormat(ImageFormat.OCI)
                    .setCreationTime(Instant.EPOCH)
                    .addLabel("org.opencontainers.image.title", title)
                    .addFileEntriesLayer(layer.get());
            JibContainer result = builder.containerize(containerizer
                    .setToolName("sysext-harness")
                    .setBaseImageLayersCache(jibCache.resolve("base"))
                    .setApplicationLayersCache(jibCache.resolve("app")));
            return result.getDigest().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted building image of " + what, e);
        } catch (Exception e) {
            throw new HarnessException("cannot build the OCI image of " + what + ": " + e.getMessage(), e);
        }
    }

    private static FileEntriesLayer layer(Extension ext, Staging staging) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("sysext " + ext.name());
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(ext.rootfs())) {
            paths = walk.filter(p -> !p.equals(ext.rootfs())).sorted().toList();
        }
        for (Path p : paths) {
            String rel = ext.rootfs().relativize(p).toString();
            if (rel.equals(ext.definition().releasePath())) {
                continue; // the generated file below wins over a stray copy in the tree
            }
            layer.addEntry(p, AbsoluteUnixPath.get("/" + rel), permissions(p), FILE_TIME, "0:0");
        }
        if (staging.releaseFile != null) {
            String rel = ext.definition().releasePath();
            for (String dir : List.of("usr", "usr/lib", "usr/lib/extension-release.d")) {
                if (!Files.isDirectory(ext.rootfs().resolve(dir))) {
                    layer.addEntry(staging.dir, AbsoluteUnixPath.get("/" + dir), FilePermissions.DEFAULT_FOLDER_PERMISSIONS, FILE_TIME, "0:0");
                }
            }
            layer.addEntry(staging.releaseFile, AbsoluteUnixPath.get("/" + rel), FilePermissions.fromOctalString("644"), FILE_TIME, "0:0");
        }
        return layer.build();
    }

    private static FilePermissions permissions(Path p) throws IOException {
        return FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static ImageReference parse(String reference) {
        try {
            return ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new IllegalArgumentException("not an image reference: '" + reference + "'", e);
        }
    }

    static boolean isLoopback(String registry) {
        String host = registry.replaceFirst(":\\d+$", "");
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    /** The generated extension-release file, in a temporary directory for the duration of one build. */
    private static final class Staging implements AutoCloseable {
        final Path dir;
        final Path releaseFile;

        Staging(Extension ext) throws IOException {
            dir = Files.createTempDirectory("sysext-harness-release");
            String text = ext.definition().releaseText();
            releaseFile = text == null ? null : Files.writeString(dir.resolve("extension-release"), text);
        }

        @Override
        public void close() throws IOException {
            if (releaseFile != null) {
                Files.deleteIfExists(releaseFile);
            }
            Files.deleteIfExists(dir);
        }
    }
}
