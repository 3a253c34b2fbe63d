package dev.sysextharness.cli;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.image.ReferenceImage;
import dev.sysextharness.scenario.RunConfiguration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Builds (or finds cached) the images of some flavors without booting anything. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build the reference images of the given flavors into the cache (nothing is booted) and print"
                + " where they are and which systemd package they carry.")
final class BuildCommand implements Callable<Integer> {
    @Option(names = "--flavor", defaultValue = Flavors.DEFAULT, split = ",", paramLabel = "NAME[,NAME...]",
            description = "Flavors from vm-configs/ (default: ${DEFAULT-VALUE}).")
    List<String> flavorNames;

    @Mixin
    CommonOptions common;

    RunConfiguration configuration() {
        return common.configuration(flavorNames);
    }

    @Override
    public Integer call() {
        RunConfiguration config = configuration();
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        HostTools.require(List.of("mmdebstrap", "mkfs.ext4", "sfdisk", "setpriv", "unshare"));
        Progress progress = Progress.to(System.out);
        FlavorImages images = new FlavorImages(ws);
        for (Flavor f : flavors) {
            ReferenceImage image = images.referenceImage(f, progress);
            System.out.printf("%-22s systemd %-20s %s%n", f.name(), image.systemdPackageVersion(), image.dir());
        }
        return ExitCodes.OK;
    }
}
