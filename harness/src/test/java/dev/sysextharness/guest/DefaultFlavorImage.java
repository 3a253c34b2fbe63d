package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;

/**
 * The selftest's flavor (the first of {@code -Dsysext.flavors}, else the default), its built (or cached) boot disk
 * and the run's accelerator ({@code -Dsysext.accel}, else auto), for tests that boot real nodes.
 */
public record DefaultFlavorImage(Flavor flavor, BootDisk disk, AcceleratorChoice accel) {
    public static DefaultFlavorImage build() {
        RunConfiguration config = RunConfiguration.fromSystemProperties();
        Workspace ws = config.workspace();
        Flavor flavor = ws.flavors().load(config.flavors().get(0));
        Progress progress = Progress.to(System.err);
        return new DefaultFlavorImage(flavor, new FlavorImages(ws).bootDisk(flavor, progress), config.accelerator(ws, progress));
    }
}
