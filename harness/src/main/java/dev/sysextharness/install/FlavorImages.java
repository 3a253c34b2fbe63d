package dev.sysextharness.install;

import dev.sysextharness.image.KairosIso;
import dev.sysextharness.image.ReferenceImageBuilder;
import dev.sysextharness.image.ReferenceImage;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.CloudConfig;
import dev.sysextharness.install.KairosInstaller;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.GuestForward;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** From a flavor to the disk its nodes boot, building, downloading or installing what is missing. */
public final class FlavorImages {
    private final Workspace workspace;

    public FlavorImages(Workspace workspace) {
        this.workspace = workspace;
    }

    public ReferenceImageBuilder referenceBuilder() {
        return new ReferenceImageBuilder(workspace.referenceRecipe(), workspace.cache());
    }

    public ReferenceImage referenceImage(Flavor flavor, Progress progress) {
        return referenceBuilder().build(flavor, progress);
    }

    public KairosIso kairosIso() {
        return KairosIso.inCache(workspace.cache());
    }

    /**
     * A kernel for the accelerator probe: the first reference flavor's among {@code flavors}, else the default flavor's,
     * its image built if need be (the probe asks whether this host's KVM boots a kernel at all, not a flavor's).
     */
    public Path probeKernel(List<Flavor> flavors, Progress progress) {
        Flavor f = flavors.stream().filter(x -> x.family() == Family.REFERENCE).findFirst()
                .orElseGet(() -> workspace.flavors().load(Flavors.DEFAULT));
        return referenceImage(f, progress).bootDisk().kernel();
    }

    /** A reference flavor's disk, for commands that only run on reference flavors (bench). */
    public BootDisk bootDisk(Flavor flavor, Progress progress) {
        if (flavor.family() != Family.REFERENCE) {
            throw new ConfigException("flavor " + flavor.name() + " is a kairos flavor; this command runs on reference flavors only");
        }
        return referenceImage(flavor, progress).bootDisk();
    }

    /**
     * The disk a node of this flavor boots: the built reference image, or the Kairos ISO installed (without
     * bundles) onto a disk; {@code evidenceDir} receives an install's serial log and first-boot evidence.
     */
    public BootDisk bootDisk(Flavor flavor, AcceleratorChoice accelerator, Path evidenceDir, Progress progress) {
        if (flavor.family() == Family.REFERENCE) {
            return referenceImage(flavor, progress).bootDisk();
        }
        return kairosInstalled(flavor, accelerator, new CloudConfig("/dev/vda", flavor.login(), List.of()), Map.of(), null,
                evidenceDir, progress);
    }

    /** A Kairos flavor installed from its ISO with this cloud-config (its bundles pulled through {@code forward}). */
    public BootDisk kairosInstalled(Flavor flavor, AcceleratorChoice accelerator, CloudConfig config, Map<String, String> digests,
            GuestForward forward, Path evidenceDir, Progress progress) {
        KairosIso.Located iso = kairosIso().locate(flavor, progress);
        return new KairosInstaller(workspace.cache(), accelerator).install(flavor, iso, config, digests, forward, evidenceDir, progress);
    }
}
