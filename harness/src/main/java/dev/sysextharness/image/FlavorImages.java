package dev.sysextharness.image;

import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.vm.BootDisk;

/** From a flavor to the disk its nodes boot, building or fetching what is missing. */
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

    public BootDisk bootDisk(Flavor flavor, Progress progress) {
        if (flavor.family() == Family.REFERENCE) {
            return referenceImage(flavor, progress).bootDisk();
        }
        throw new HarnessException("flavor " + flavor.name() + " is a Kairos flavor: booting Kairos ISOs is not implemented yet"
                + " (only reference flavors can be booted)");
    }
}
