package dev.sysextharness.install;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.extension.LayerFlattener;
import dev.sysextharness.extension.RegistryClient;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.ImageCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The offline installer of reference flavors: does with a cloud-config's {@code install.bundles} what kairos-agent
 * does — pull each image from the registry, flatten its layers applying whiteouts, and extract the tree under
 * rootfs_path on COS_PERSISTENT — writing a new COS_PERSISTENT file system (mkfs.ext4 -d) into a copy of the base
 * disk. Installed disks are cached per (base image, bundle set with digests).
 */
public final class ReferenceInstaller {
    static final String KIND = "installed";

    private final ImageCache cache;

    public ReferenceInstaller(ImageCache cache) {
        this.cache = cache;
    }

    /**
     * @param baseDir       the reference image entry (disk.img inside)
     * @param baseKey       its cache key
     * @param config        the cloud-config, as a Kairos ISO would receive it
     * @param digests       image reference (as written in the bundle) → manifest digest, for the cache key
     * @param registryUrl   where the guest address of the bundles' images is served on the host
     * @return the directory of the installed entry (disk.img, cloud-config.yaml)
     */
    public Path install(Path baseDir, String baseKey, CloudConfig config, Map<String, String> digests,
                        String registryUrl, Progress progress) {
        ContentHash key = new ContentHash().add("base", baseKey);
        for (Bundle b : config.bundles()) {
            String digest = digests.get(b.image());
            if (digest == null) {
                throw new HarnessException("no digest known for bundle image " + b.image());
            }
            key.add("bundle", b.rootfsPath() + "=" + b.image() + "@" + digest);
        }
        return cache.getOrBuild(KIND, key.hex(), (into, p) -> build(baseDir, config, registryUrl, into, p),
                ImageCache.Check.files("disk.img", "disk.img", "cloud-config.yaml"), progress);
    }

    private static void build(Path baseDir, CloudConfig config, String registryUrl, Path into, Progress progress) throws IOException {
        progress.step("installing " + config.bundles().size() + " bundle(s) onto a copy of " + baseDir.resolve("disk.img"));
        Files.writeString(into.resolve("cloud-config.yaml"), config.render());
        Path seed = Files.createDirectories(into.resolve("persistent-seed"));
        Path layers = Files.createDirectories(into.resolve("layers"));
        for (String dir : PersistentPaths.BINDS.values()) {
            Files.createDirectories(seed.resolve(dir));
        }
        RegistryClient registry = new RegistryClient(registryUrl);
        for (Bundle b : config.bundles()) {
            String image = b.image();
            String repoAndTag = image.substring(image.indexOf('/') + 1);
            int colon = repoAndTag.lastIndexOf(':');
            String repository = colon < 0 ? repoAndTag : repoAndTag.substring(0, colon);
            String tag = colon < 0 ? "latest" : repoAndTag.substring(colon + 1);
            Path target = seed.resolve(PersistentPaths.onPersistent(b.rootfsPath()));
            progress.step("  bundle " + image + " -> " + b.rootfsPath() + " (COS_PERSISTENT:/" + seed.relativize(target) + ")");
            List<RegistryClient.Layer> pulled = registry.pullLayers(repository, tag, layers);
            LayerFlattener.apply(pulled, target);
        }
        OwnedProcesses.run(List.of("cp", "--sparse=always", baseDir.resolve("disk.img").toString(),
                into.resolve("disk.img").toString()), 600);
        Partition persistent = Partition.find(into.resolve("disk.img"), "COS_PERSISTENT");
        OwnedProcesses.run(List.of("mkfs.ext4", "-q", "-F", "-L", "COS_PERSISTENT", "-d", seed.toString(),
                "-E", "offset=" + persistent.offsetBytes(), into.resolve("disk.img").toString(), persistent.sizeKiB() + "k"), 600);
        dev.sysextharness.host.Trees.delete(seed);
        dev.sysextharness.host.Trees.delete(layers);
    }

    /** A GPT partition of a disk image, by name. */
    record Partition(long offsetBytes, long sizeKiB) {
        static Partition find(Path disk, String name) throws IOException {
            JsonNode table = Json.mapper().readTree(OwnedProcesses.run(List.of("sfdisk", "-J", disk.toString()), 60))
                    .path("partitiontable");
            long sector = table.path("sectorsize").asLong(512);
            for (JsonNode p : table.path("partitions")) {
                if (name.equals(p.path("name").asText())) {
                    return new Partition(p.path("start").asLong() * sector, p.path("size").asLong() * sector / 1024);
                }
            }
            throw new HarnessException(disk + " has no partition named " + name);
        }
    }
}
