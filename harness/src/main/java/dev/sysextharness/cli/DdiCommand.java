package dev.sysextharness.cli;

import dev.sysextharness.extension.DdiBuilder;
import dev.sysextharness.extension.DiskImage;
import dev.sysextharness.extension.SigningKey;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.ContainerLaneImages;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Makes a sysext DDI from a directory tree, as Kairos's tools make them, and says what it holds. */
@Command(name = "ddi", mixinStandardHelpOptions = true,
        description = "Make a sysext DDI (NAME.sysext.raw) from a directory holding usr/ (and opt/) with systemd-repart,"
                + " in a container of a flavor that has it (default debian-13): plain, verity, or verity signed with a key"
                + " made for the harness or your own; then print what the file holds, as run --extension reads it.")
final class DdiCommand implements Callable<Integer> {
    @Option(names = "--tree", required = true, paramLabel = "DIR", description = "The extension's files: usr/ (with"
            + " usr/lib/extension-release.d/extension-release.NAME) and maybe opt/.")
    Path tree;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where the DDI goes, named NAME.raw"
            + " or NAME.sysext.raw.")
    Path output;

    @Option(names = "--kind", defaultValue = "verity", paramLabel = "plain|verity|signed",
            description = "plain (no verity), verity (default), or signed (verity and a signature partition).")
    String kind;

    @Option(names = "--key", paramLabel = "NAME", description = "For --kind signed: a key the harness makes once and"
            + " keeps in its cache under this name (default: trusted).")
    String keyName;

    @Option(names = "--private-key", paramLabel = "PEM", description = "For --kind signed: your own key (with --certificate).")
    Path privateKey;

    @Option(names = "--certificate", paramLabel = "PEM", description = "For --kind signed: your own certificate.")
    Path certificate;

    @Option(names = "--tool-flavor", defaultValue = DdiBuilder.TOOL_FLAVOR, paramLabel = "NAME",
            description = "The flavor whose userspace runs systemd-repart (systemd >= 255; default ${DEFAULT-VALUE}).")
    String toolFlavor;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        DdiBuilder.Kind k;
        try {
            k = DdiBuilder.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--kind: expected plain, verity or signed, got '" + kind + "'");
        }
        if (!Files.isDirectory(tree.resolve("usr"))) {
            throw new ConfigException("--tree " + tree + ": no usr/ directory in it");
        }
        String file = output.getFileName().toString();
        if (!file.endsWith(".raw")) {
            throw new ConfigException("--output " + output + ": an extension image is named NAME.raw or NAME.sysext.raw");
        }
        if ((privateKey == null) != (certificate == null)) {
            throw new ConfigException("--private-key and --certificate go together");
        }
        if (k != DdiBuilder.Kind.SIGNED && (keyName != null || privateKey != null)) {
            throw new ConfigException("a key signs only --kind signed");
        }
        RunConfiguration config = common.configuration(List.of(toolFlavor));
        Workspace ws = config.checkedWorkspace();
        Flavor flavor = ws.flavors().load(toolFlavor);
        if (flavor.systemdVersion() < 255) {
            throw new ConfigException("--tool-flavor " + toolFlavor + ": systemd " + flavor.systemdVersion()
                    + " has no systemd-repart --make-ddi (255)");
        }
        Progress progress = Progress.to(System.out);
        SigningKey key = k != DdiBuilder.Kind.SIGNED ? null : privateKey != null ? SigningKey.of("yours", privateKey, certificate)
                : SigningKey.named(ws.cache(), keyName == null ? "trusted" : keyName, progress);
        ContainerLaneImages lane = new ContainerLaneImages(ws.cache().root(), f -> new FlavorImages(ws).referenceImage(f, progress),
                progress);
        DdiBuilder builder = DdiBuilder.inContainers(ws.cache(), flavor, lane);
        Path built = builder.build(tree, file, k, key, progress);
        try {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), ".ddi-", ".tmp");
            Files.copy(built, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.out.println(output + ": " + DiskImage.read(output).describe());
        } catch (IOException e) {
            throw new HarnessException("cannot write " + output + ": " + e.getMessage(), e);
        }
        if (key != null) {
            System.out.println("signed with " + key.certificate() + " (SHA-256 " + key.fingerprint() + ")");
        }
        return ExitCodes.OK;
    }
}
