package dev.sysextharness.extension;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.ContainerGuest;
import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.host.Progress;
import dev.sysextharness.image.ContainerLaneImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Makes sysext DDIs the way Kairos's tooling does (AuroraBoot runs {@code systemd-repart --make-ddi=sysext}): with the
 * systemd-repart of a flavor whose userspace carries one new enough (255: {@code --make-ddi}), in a container of that
 * userspace (the container lane's image), offline — no loop device, no GPT written by hand. The partition definitions
 * are systemd's own sysext ones (an erofs root partition with /usr and /opt, its verity hash partition, its verity
 * signature partition), cut to the kind asked for, so every kind comes from the same tool and the same layout:
 * <ul>
 *   <li>{@link Kind#PLAIN}: the root partition alone — a DDI an image policy sees as {@code unprotected};
 *   <li>{@link Kind#VERITY}: with its verity hash partition — {@code verity};
 *   <li>{@link Kind#SIGNED}: and a signature partition signed with a {@link SigningKey} — {@code signed}, if the node
 *       trusts that key.
 * </ul>
 * Each DDI is cached by content (tree, kind, certificate, definitions, tool image) like every other cache entry:
 * built in a temporary directory and renamed into place.
 */
public final class DdiBuilder {
    static final String KIND = "ddi";
    /** The reference flavor whose userspace makes DDIs unless told otherwise: the first with systemd-repart --make-ddi. */
    public static final String TOOL_FLAVOR = "debian-13";

    /** What a DDI is protected with. */
    public enum Kind {
        PLAIN, VERITY, SIGNED
    }

    private final ImageCache cache;
    private final Flavor toolFlavor;
    private final Supplier<String> toolImage;
    private final Supplier<ContainerStarter> starter;

    /** Starts a container of the tool flavor's image, evidence in the given directory. */
    @FunctionalInterface
    public interface ContainerStarter {
        ContainerGuest start(Flavor flavor, String image, Path evidenceDir);
    }

    /**
     * @param toolFlavor a flavor whose image has systemd-repart (systemd ≥ 255, package systemd-repart) and mkfs.erofs
     * @param toolImage  that flavor's container image reference, named without an engine (it is part of a DDI's cache key)
     * @param starter    how a container of it is started (the container lane's engine, which imports the image first):
     *                   used only when a DDI is not in the cache
     */
    public DdiBuilder(ImageCache cache, Flavor toolFlavor, Supplier<String> toolImage, Supplier<ContainerStarter> starter) {
        if (toolFlavor.systemdVersion() < 255) {
            throw new IllegalArgumentException("flavor " + toolFlavor.name() + " has systemd " + toolFlavor.systemdVersion()
                    + "; systemd-repart --make-ddi needs 255");
        }
        this.cache = cache;
        this.toolFlavor = toolFlavor;
        this.toolImage = toolImage;
        this.starter = starter;
    }

    /** A builder that runs systemd-repart in containers of {@code toolFlavor} on the container lane's engine. */
    public static DdiBuilder inContainers(ImageCache cache, Flavor toolFlavor, ContainerLaneImages lane) {
        return new DdiBuilder(cache, toolFlavor, () -> lane.refOf(toolFlavor), () -> (f, image, evidence) -> {
            lane.imageOf(f); // the engine and the imported image, only now that a DDI must be made
            return ContainerGuest.start(lane.docker(), f, image, evidence);
        });
    }

    /**
     * The DDI of {@code tree} (a directory holding usr/ and maybe opt/, its extension-release file included) as
     * {@code fileName}, of {@code kind}; {@code key} signs a SIGNED one and must be null otherwise.
     */
    public Path build(Path tree, String fileName, Kind kind, SigningKey key, Progress progress) {
        if ((kind == Kind.SIGNED) != (key != null)) {
            throw new IllegalArgumentException(kind + " DDI " + (key == null ? "needs" : "takes no") + " signing key");
        }
        if (!fileName.endsWith(".raw") || fileName.contains("/")) {
            throw new IllegalArgumentException("not an image file name NAME.raw: " + fileName);
        }
        String image = toolImage.get();
        ContentHash hash = new ContentHash().addTree("tree", tree).add("kind", kind.name()).add("file", fileName)
                .add("tool", image).add("definitions", String.join("\n", definitions(kind)));
        if (key != null) {
            hash.add("certificate", key.fingerprint());
        }
        Path entry = cache.getOrBuild(KIND, hash.hex(), (into, p) -> make(tree, fileName, kind, key, image, into, p),
                ImageCache.Check.files(null, fileName), progress);
        return entry.resolve(fileName);
    }

    private void make(Path tree, String fileName, Kind kind, SigningKey key, String image, Path into, Progress progress)
            throws IOException {
        progress.step("making " + kind.name().toLowerCase() + " DDI " + fileName + " with systemd-repart in a container of "
                + toolFlavor.name() + " (" + image + ")");
        Path inputs = Files.createDirectories(into.resolve("inputs"));
        Path defs = Files.createDirectories(inputs.resolve("repart.d"));
        List<String> files = definitions(kind);
        for (int i = 0; i < files.size(); i++) {
            Files.writeString(defs.resolve((i + 1) * 10 + "-" + PARTS[i] + ".conf"), files.get(i));
        }
        if (key != null) {
            Files.copy(key.privateKey(), inputs.resolve("key.pem"));
            Files.copy(key.certificate(), inputs.resolve("cert.pem"));
        }
        try (ContainerGuest c = starter.get().start(toolFlavor, image, into.resolve("container"))) {
            c.copyIn(tree, "/var/tmp/ddi/src");
            c.copyIn(inputs, "/var/tmp/ddi/in");
            List<String> cmd = new ArrayList<>(List.of("systemd-repart", "--definitions=/var/tmp/ddi/in/repart.d",
                    "--copy-source=/var/tmp/ddi/src", "--empty=create", "--size=auto", "--offline=yes", "--seed=random",
                    "--dry-run=no", "--json=short"));
            if (key != null) {
                cmd.add("--private-key=/var/tmp/ddi/in/key.pem");
                cmd.add("--certificate=/var/tmp/ddi/in/cert.pem");
            }
            cmd.add("/var/tmp/ddi/out/" + fileName);
            CommandResult r = c.sudo("mkdir -p /var/tmp/ddi/out && " + String.join(" ", cmd));
            Files.writeString(into.resolve("build.log"), r.describe() + "\n" + r.stdout() + "\n" + r.stderr());
            if (!r.succeeded()) {
                throw new HarnessException("systemd-repart could not make " + fileName + " in a container of " + toolFlavor.name()
                        + ": " + r.describe() + "; see " + c.transcript().file());
            }
            c.copyOut("/var/tmp/ddi/out/" + fileName, into.resolve(fileName));
        }
        dev.sysextharness.host.Trees.delete(inputs);
    }

    private static final String[] PARTS = {"root", "root-verity", "root-verity-sig"};

    /**
     * systemd's sysext.repart.d (src/repart/definitions, as --make-ddi=sysext uses them), cut to {@code kind}: the
     * same partitions in the same order, with Verity= dropped from the root partition of a PLAIN one.
     */
    static List<String> definitions(Kind kind) {
        String verity = kind == Kind.PLAIN ? "" : "Verity=data\nVerityMatchKey=root\n";
        List<String> defs = new ArrayList<>(List.of(
                "[Partition]\nType=root\nFormat=erofs\nCopyFiles=/usr/\nCopyFiles=/opt/\n" + verity + "Minimize=best\nSizeMinBytes=4K\n"));
        if (kind != Kind.PLAIN) {
            defs.add("[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=root\nMinimize=best\nSizeMinBytes=4K\n");
        }
        if (kind == Kind.SIGNED) {
            defs.add("[Partition]\nType=root-verity-sig\nVerity=signature\nVerityMatchKey=root\n");
        }
        return defs;
    }
}
