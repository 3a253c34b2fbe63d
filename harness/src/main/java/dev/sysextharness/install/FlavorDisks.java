package dev.sysextharness.install;

import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.ReferenceImage;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The disks one run's nodes boot: each flavor's base disk, and its disk installed with bundles the way Kairos installs
 * them (cloud-config install.bundles; the offline installer for reference flavors), each made once per run and cached
 * across runs.
 */
public final class FlavorDisks {
    private final Workspace workspace;
    private final AcceleratorChoice accelerator;
    private final Path evidenceRoot;
    private final Progress progress;
    private final Map<String, BootDisk> disks = new ConcurrentHashMap<>();

    public FlavorDisks(Workspace workspace, AcceleratorChoice accelerator, Path evidenceRoot, Progress progress) {
        this.workspace = workspace;
        this.accelerator = accelerator;
        this.evidenceRoot = evidenceRoot;
        this.progress = progress;
    }

    public synchronized BootDisk base(Flavor flavor) {
        return disks.computeIfAbsent(flavor.name(), n -> new FlavorImages(workspace).bootDisk(flavor, accelerator,
                evidenceRoot.resolve(flavor.name() + "-install"), progress));
    }

    /**
     * The flavor's disk installed with {@code bundles}; {@code digests} (image reference → manifest digest) key the cache,
     * {@code registryUrl} is where the offline installer pulls, {@code forward} how a Kairos installer reaches it.
     */
    public synchronized BootDisk installed(Flavor flavor, List<Bundle> bundles, Map<String, String> digests, String registryUrl,
            GuestForward forward) {
        String key = flavor.name() + "|" + bundles;
        return disks.computeIfAbsent(key, k -> {
            CloudConfig config = new CloudConfig("/dev/vda", flavor.login(), bundles);
            if (flavor.family() == Family.KAIROS) {
                return new FlavorImages(workspace).kairosInstalled(flavor, accelerator, config, digests, forward,
                        evidenceRoot.resolve(flavor.name() + "-install-" + String.join("-", bundles.stream()
                                .map(b -> b.rootfsPath().substring(b.rootfsPath().lastIndexOf('/') + 1)).toList())), progress);
            }
            ReferenceImage base = new FlavorImages(workspace).referenceImage(flavor, progress);
            Path entry = new ReferenceInstaller(workspace.cache()).install(base.dir(), base.key(),
                    CloudConfig.parse("rendered cloud-config", config.render()), digests, registryUrl, progress);
            return base.withDisk(entry.resolve("disk.img"));
        });
    }
}
