package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.FlavorImages;
import dev.sysextharness.vm.AcceleratorProbe;
import dev.sysextharness.vm.BootDisk;

/** The default flavor, its built (or cached) boot disk and the probed accelerator, for tests that boot real nodes. */
record DefaultFlavorImage(Flavor flavor, BootDisk disk, AcceleratorProbe.Choice accel) {
    static DefaultFlavorImage build() {
        Workspace ws = Workspace.locate(null);
        Flavor flavor = ws.flavors().load(Flavors.DEFAULT);
        return new DefaultFlavorImage(flavor, new FlavorImages(ws).bootDisk(flavor, Progress.to(System.err)),
                new AcceleratorProbe("qemu-system-x86_64").choose("auto"));
    }
}
