package dev.sysextharness.extension;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An author's extension given as an OCI image reference ({@code run --extension HOST[:PORT]/REPO[:TAG]}): pulled over
 * the registry's plain-HTTP v2 API, flattened as the offline installer does (layers in order, whiteouts applied),
 * and written out as a definition directory — extension.yaml carrying the image's own extension-release text and the
 * pulled image itself, rootfs/ with the flattened content, whiteouts.txt with what its whiteouts removed — so that the
 * oracle reads it like a directory while nodes receive the author's image byte for byte.
 */
public final class ImageExtension {
    /** Registry host (with a dot or a port, or localhost, as Docker tells a host from a path), repository, tag or digest. */
    private static final Pattern REF = Pattern.compile(
            "(?<host>localhost(:\\d+)?|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+(:\\d+)?|[A-Za-z0-9.-]+:\\d+)"
                    + "/(?<repo>[a-z0-9]+([._/-][a-z0-9]+)*)(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@(?<digest>sha256:[0-9a-f]{64}))?");

    private ImageExtension() {
    }

    public static boolean isReference(String s) {
        return REF.matcher(s).matches();
    }

    /**
     * Pulls and unpacks {@code ref} into {@code workDir} and returns the definition directory made from it. The
     * extension-release file decides the sysext image name; an image without one is certified as such.
     */
    public static Path materialize(String ref, Path workDir) {
        Matcher m = REF.matcher(ref);
        if (!m.matches()) {
            throw new ConfigException("--extension: '" + ref + "' is not an image reference HOST[:PORT]/REPO[:TAG]");
        }
        String repo = m.group("repo");
        String version = m.group("digest") != null ? m.group("digest") : m.group("tag") != null ? m.group("tag") : "latest";
        String name = repo.substring(repo.lastIndexOf('/') + 1);
        Path pulled = workDir.resolve("pulled");
        Path home = workDir.resolve(name);
        try {
            dev.sysextharness.host.Trees.delete(workDir);
            RegistryClient.PulledImage image = new RegistryClient("http://" + m.group("host")).pullImage(repo, version, pulled);
            java.util.SortedSet<String> whitedOut = LayerFlattener.apply(image.layers(), home.resolve("rootfs"));
            TreeDefinition.write(home, name, "image " + ref, null, null,
                    new ExtensionDefinition.SourceImage(ref, image.digest(), image.mediaType(), pulled.toAbsolutePath().toString()));
            Files.write(home.resolve(Extension.WHITEOUTS), whitedOut);
        } catch (IOException e) {
            throw new HarnessException("cannot pull " + ref + " into " + workDir + ": " + e.getMessage(), e);
        }
        return home;
    }
}
