package dev.sysextharness.extension;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns an extension's unpacked content (home/rootfs) into a definition directory: extension.yaml carries the
 * tree's own extension-release text, and the release file leaves the tree (a rebuilt image writes it again).
 */
final class TreeDefinition {
    private static final String RELEASE_DIR = "usr/lib/extension-release.d";

    private TreeDefinition() {
    }

    /**
     * @param imageName the sysext image name when the source fixes it (a .raw file's name); null to take it from
     *                  the release file
     * @param raw       the .raw file to ship as it is, or null
     */
    static void write(Path home, String name, String source, String imageName, Path raw) throws IOException {
        write(home, name, source, imageName, raw, null, null);
    }

    /** @param image the author's image as pulled, to push as it is, or null */
    static void write(Path home, String name, String source, String imageName, Path raw, ExtensionDefinition.SourceImage image)
            throws IOException {
        write(home, name, source, imageName, raw, image, null);
    }

    /** @param disk what the .raw file holds, as an image policy sees it, or null */
    static void write(Path home, String name, String source, String imageName, Path raw, ExtensionDefinition.SourceImage image,
            DiskImage disk) throws IOException {
        Path rootfs = home.resolve("rootfs");
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("name", name);
        List<Path> releases = releaseFiles(rootfs);
        if (releases.size() > 1) {
            throw new ConfigException(source + " carries " + releases.size() + " extension-release files under /" + RELEASE_DIR
                    + " (" + releases.stream().map(p -> p.getFileName().toString()).toList() + "); an extension has one");
        }
        String releaseName = releases.isEmpty() ? null : releases.get(0).getFileName().toString().substring("extension-release.".length());
        String extensionName = imageName != null ? imageName : releaseName != null ? releaseName : name;
        yaml.put("extensionName", extensionName);
        if (releases.isEmpty()) {
            yaml.put("noRelease", true);
        } else {
            yaml.put("releaseFile", Files.readString(releases.get(0)));
            yaml.put("releaseFileName", releaseName);
            Files.delete(releases.get(0));
        }
        if (raw != null) {
            yaml.put("raw", raw.toAbsolutePath().toString());
        }
        if (disk != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("layout", disk.layout().name().toLowerCase(java.util.Locale.ROOT));
            r.put("protection", disk.protection().policyWord());
            r.put("designator", disk.designator());
            if (disk.protection() == DiskImage.Protection.SIGNED) {
                r.put("signer", disk.signature().certificateFingerprint());
            }
            r.put("description", disk.describe());
            yaml.put("rawImage", r);
        }
        if (image != null) {
            yaml.put("image", Map.of("ref", image.ref(), "digest", image.digest(), "mediaType", image.mediaType(), "dir", image.dir()));
        }
        Files.writeString(home.resolve("extension.yaml"), new YAMLMapper().writeValueAsString(yaml));
        try {
            ExtensionCatalog.load(home); // the same checks as a directory: only usr/ and opt/, valid names
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> releaseFiles(Path rootfs) throws IOException {
        Path dir = rootfs.resolve(RELEASE_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("extension-release.")).sorted().toList();
        }
    }
}
