package dev.sysextharness.api;

import dev.sysextharness.api.Certifies;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.extension.LayerFlattener;
import dev.sysextharness.extension.OciImageBuilder;
import dev.sysextharness.extension.Registry;
import dev.sysextharness.extension.RegistryClient;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.vm.GuestForward;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The run's extension images: built from images/extensions/ with jib-core and pushed once to the run's registry. */
public final class Extensions {
    static final String TAG = "1";
    /** Stands for the user's own extension (run --extension DIR) wherever an extension name is expected. */
    public static final String USER = "@extension";

    private final ExtensionCatalog catalog;
    private final OciImageBuilder builder;
    private final Registry registry;
    private final Progress progress;
    private final Map<String, PublishedExtension> published = new ConcurrentHashMap<>();
    private final Map<String, Path> flattened = new ConcurrentHashMap<>();
    private final Path userExtension;

    public Extensions(ExtensionCatalog catalog, Path jibCache, Registry registry, Progress progress, Path userExtension) {
        this.userExtension = userExtension;
        this.catalog = catalog;
        this.builder = new OciImageBuilder(jibCache);
        this.registry = registry;
        this.progress = progress;
    }

    /**
     * The extension's image in the registry, pushed on first use: an author's image as pulled, byte for byte (the same
     * manifest digest, its layers and whiteouts untouched, for the flavor's own unpacker to process), or else an image
     * built from the definition with jib-core.
     */
    public PublishedExtension published(String name) {
        return published.computeIfAbsent(name, n -> {
            var ext = definition(n);
            String hostRef = registry.hostAddress() + "/" + ext.name() + ":" + TAG;
            var source = ext.definition().image();
            String digest;
            if (source != null) {
                try {
                    Path dir = Path.of(source.dir());
                    List<String> blobs = new java.util.ArrayList<>();
                    var manifest = dev.sysextharness.host.Json.mapper().readTree(dir.resolve("manifest.json").toFile());
                    if (manifest.path("config").has("digest")) {
                        blobs.add(manifest.path("config").path("digest").asText());
                    }
                    manifest.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
                    digest = new RegistryClient(registry.baseUrl()).pushImage(ext.name(), TAG, dir, source.mediaType(), blobs);
                } catch (IOException e) {
                    throw new HarnessException("cannot copy " + source.ref() + " into the run's registry: " + e.getMessage(), e);
                }
                if (!digest.equals(source.digest())) {
                    throw new HarnessException("copying " + source.ref() + " into the run's registry changed its manifest digest from "
                            + source.digest() + " to " + digest);
                }
                progress.step("published your image " + source.ref() + " as it is, as " + hostRef + " (" + digest + ")");
            } else {
                digest = builder.push(ext, hostRef);
                progress.step("published extension " + (n.equals(USER) ? ext.name() + " (--extension)" : n) + " as " + hostRef + " (" + digest + ")");
            }
            String guestRef = GuestForward.REGISTRY_ADDRESS + ":" + GuestForward.REGISTRY_PORT + "/" + ext.name() + ":" + TAG;
            return new PublishedExtension(ext.name(), ext.extensionName(), guestRef, hostRef, digest);
        });
    }

    /**
     * A file (a DDI made for the run) pushed as an image holding just that file at its root, under {@code repository};
     * returns the reference as the guest reaches it ({@code oci:} of {@code kairos-agent sysext install}).
     */
    public String publishedFile(String repository, Path file) {
        String digest = builder.pushFile(file, registry.hostAddress() + "/" + repository + ":" + TAG);
        progress.step("published " + file.getFileName() + " as the image " + registry.hostAddress() + "/" + repository + ":" + TAG
                + " (" + digest + ")");
        return GuestForward.REGISTRY_ADDRESS + ":" + GuestForward.REGISTRY_PORT + "/" + repository + ":" + TAG;
    }

    /**
     * The extension's image pulled back from the registry and flattened on the host, as the offline installer does
     * (pull, apply the layers with their whiteouts): the tree the container lane copies into a container, which has
     * no network to pull through. Made once per run.
     */
    public Path flattenedOnHost(String name, Path workDir) {
        return flattened.computeIfAbsent(name, n -> {
            PublishedExtension ext = published(n);
            String repository = ext.hostRef().substring(ext.hostRef().indexOf('/') + 1, ext.hostRef().lastIndexOf(':'));
            Path dir = workDir.resolve(ext.name());
            try {
                dev.sysextharness.host.Trees.delete(dir);
                List<RegistryClient.Layer> layers = new RegistryClient(registry.baseUrl())
                        .pullLayers(repository, TAG, Files.createDirectories(dir.resolve("layers")));
                LayerFlattener.apply(layers, dir.resolve("tree"));
            } catch (IOException e) {
                throw new HarnessException("cannot flatten " + ext.hostRef() + " into " + dir + ": " + e.getMessage(), e);
            }
            return dir.resolve("tree");
        });
    }

    /** The definition and tree of an extension, for computing expectations. */
    public Extension definition(String name) {
        if (name.equals(USER)) {
            if (userExtension == null) {
                throw new IllegalStateException("no user extension given (run --extension DIR)");
            }
            return ExtensionCatalog.load(userExtension);
        }
        return catalog.load(name);
    }

    public boolean hasUserExtension() {
        return userExtension != null;
    }

    /** The form the author's extension came in (run --extension): a .raw file, or an OCI image or definition. */
    public Certifies.Form userExtensionForm() {
        return formOf(userExtension);
    }

    public static Certifies.Form formOf(Path definitionDir) {
        return ExtensionCatalog.load(definitionDir).definition().raw() != null ? Certifies.Form.RAW_FILE : Certifies.Form.OCI_IMAGE;
    }

    public Registry registry() {
        return registry;
    }
}
