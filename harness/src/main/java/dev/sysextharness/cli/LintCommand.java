package dev.sysextharness.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.extension.ExtensionCatalog;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.host.Json;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.image.ImageOsRelease;
import dev.sysextharness.image.ReferenceImage;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.sysext.Compatibility;
import dev.sysextharness.sysext.MergeExpectation;
import dev.sysextharness.sysext.MergeOracle;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * An author's verdict before anything boots: the extension read as run --extension reads it, and for each flavor the
 * oracle's prediction from the flavor's systemd, hierarchies and image policy and the host's os-release (read from the
 * built reference image): merged or not and why, what the refresh does to every other extension, and the traps.
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Predict, without booting anything, what each flavor's systemd-sysext does with your extension",
                "(a definition directory, an OCI image HOST[:PORT]/REPO[:TAG], or a squashfs NAME.raw): merged or not and",
                "why, and the traps. Exit 0 when it would merge on every flavor, 1 when it would not on one."})
final class LintCommand implements Callable<Integer> {
    @Option(names = "--extension", required = true, paramLabel = "DIR|IMAGE|FILE.raw", description = "The extension to judge.")
    String extension;

    @Option(names = "--flavor", split = ",", paramLabel = "NAME[,NAME...]",
            defaultValue = "debian-12,debian-12-backports,debian-13,debian-sid",
            description = "Flavors (default: the four reference flavors). Their images must be built (sysext-harness build).")
    List<String> flavorNames;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the verdicts as JSON.")
    Path json;

    @Option(names = "--trust", paramLabel = "CERT.pem", description = "A certificate the nodes' firmware trusts (your Secure"
            + " Boot db certificate): under the flavors' UKI variants it is in /run/verity.d beside the harness's own keys.")
    List<Path> trust = new ArrayList<>();

    @Mixin
    CommonOptions common;

    /** One flavor's verdict, and one per policy variant of the flavor (Kairos's UKI drop-ins). */
    record Verdict(String flavor, SystemdVersion systemd, boolean merged, MergeOracle.Prediction prediction, List<String> traps,
                   List<VariantVerdict> variants) {
    }

    /** What the service set up as a policy variant does with the image. */
    record VariantVerdict(String name, String imagePolicy, boolean merged, String why) {
    }

    @Override
    public Integer call() throws Exception {
        RunConfiguration config = common.configuration(flavorNames);
        Workspace ws = config.checkedWorkspace();
        List<Flavor> flavors = config.flavors().stream().map(ws.flavors()::load).toList();
        Path work = Files.createTempDirectory("sysext-harness-lint");
        try {
            Path definition = RunCommand.userExtension(extension, work.resolve("extension"), Progress.silent());
            Extension ext = ExtensionCatalog.load(definition);
            MergeOracle.Image image = imageOf(ext);
            List<Verdict> verdicts = new ArrayList<>();
            java.util.Set<String> extra = new java.util.LinkedHashSet<>();
            for (Path cert : trust) {
                extra.add(dev.sysextharness.extension.SigningKey.fingerprintOf(cert));
            }
            for (Flavor f : flavors) {
                verdicts.add(judge(f, image, ext, ws, extra));
            }
            print(System.out, image, verdicts);
            if (json != null) {
                writeJson(image, verdicts);
            }
            return verdicts.stream().allMatch(Verdict::merged) ? ExitCodes.OK : ExitCodes.SCENARIO_FAILED;
        } finally {
            dev.sysextharness.host.Trees.delete(work);
        }
    }

    /** The author's extension as the oracle sees it: the .raw file it came from, or a directory of its name. */
    static MergeOracle.Image imageOf(Extension ext) {
        String raw = ext.definition().raw();
        return raw != null ? MergeOracle.Image.ofFile(ext, Path.of(raw).getFileName().toString())
                : MergeOracle.Image.of(ext, ext.extensionName(), MergeOracle.Kind.DIRECTORY);
    }

    static Verdict judge(Flavor f, MergeOracle.Image image, Extension ext, Workspace ws, java.util.Set<String> trusted) {
        ReferenceImage ref = new FlavorImages(ws).referenceBuilder().find(f);
        if (ref == null) {
            throw new dev.sysextharness.flavor.ConfigException("flavor " + f.name() + ": its image is not built, so its os-release is"
                    + " unknown; run: harness/bin/sysext-harness build --flavor " + f.name());
        }
        SystemdVersion v = SystemdVersion.parse("systemd " + f.systemdVersion() + " (" + ref.systemdPackageVersion() + ")");
        Map<String, String> host = Compatibility.parseRelease(ImageOsRelease.of(ref, ws.cache().root()));
        MergeOracle.Prediction p = MergeOracle.predict(v, f.sysext().imagePolicy(), f.sysext().hierarchies(), host, List.of(image));
        MergeOracle.Fate fate = p.fate(image.path());
        boolean merged = fate.state() == MergeOracle.State.MERGED;
        List<String> traps = new ArrayList<>();
        if (!p.succeeds()) {
            traps.add("the refresh fails (exit " + p.exitStatus() + "): every other extension on the node is not merged either,"
                    + " bundles included");
        }
        List<String> outside = MergeExpectation.unmergedFiles(f.sysext().hierarchies(), ext.files());
        if (!outside.isEmpty()) {
            traps.add(outside.size() + " file(s) outside the flavor's hierarchies, never visible there: " + outside);
            dev.sysextharness.sysext.SharedLibraries.strandedNeeds(dev.sysextharness.sysext.SharedLibraries.shippedBy(ext),
                    f.sysext().hierarchies()).forEach(traps::add);
        }
        Map<String, String> release = image.release();
        if (release != null && !"_any".equals(release.get("ID")) && !release.containsKey("SYSEXT_LEVEL")
                && !release.containsKey("VERSION_ID")) {
            traps.add("neither VERSION_ID nor SYSEXT_LEVEL: it matches only hosts that have neither");
        }
        if (release != null && !release.containsKey("ARCHITECTURE")) {
            traps.add("no ARCHITECTURE: any host architecture takes its binaries");
        }
        List<VariantVerdict> variants = new ArrayList<>();
        f.sysext().variants().forEach((name, variant) -> {
            java.util.Set<String> fingerprints = new java.util.LinkedHashSet<>(trusted);
            variant.verityCertificates().forEach(k -> fingerprints.add(
                    dev.sysextharness.extension.SigningKey.named(ws.cache(), k, Progress.silent()).fingerprint()));
            MergeOracle.Prediction vp = MergeOracle.predict(v, variant.imagePolicy(), f.sysext().hierarchies(), host, List.of(image),
                    new MergeOracle.Trust(java.util.Set.of(), fingerprints));
            MergeOracle.Fate vf = vp.fate(image.path());
            variants.add(new VariantVerdict(name, variant.imagePolicy(), vf.state() == MergeOracle.State.MERGED, vf.reason()));
        });
        return new Verdict(f.name(), v, merged, p, traps, variants);
    }

    static void print(PrintStream out, MergeOracle.Image image, List<Verdict> verdicts) {
        out.println("extension " + image.fileName() + " (" + image.kind().name().toLowerCase().replace('_', ' ') + ")");
        for (Verdict v : verdicts) {
            MergeOracle.Fate fate = v.prediction().fate(image.path());
            out.printf("%n%s (systemd %s): %s%n", v.flavor(), v.systemd(), v.merged()
                    ? "merged on " + String.join(" ", v.prediction().mergedHierarchies()) : "NOT merged");
            out.println("  why:     " + fate.reason());
            out.println("  refresh: exits " + v.prediction().exitStatus() + " (" + v.prediction().because() + ")");
            v.traps().forEach(t -> out.println("  trap:    " + t));
            v.variants().forEach(u -> out.println("  " + u.name() + ":" + " ".repeat(Math.max(1, 8 - u.name().length()))
                    + (u.merged() ? "merged" : "NOT merged") + " — " + u.why()));
        }
    }

    private void writeJson(MergeOracle.Image image, List<Verdict> verdicts) throws java.io.IOException {
        ObjectNode root = Json.mapper().createObjectNode().put("extension", image.fileName());
        ArrayNode arr = root.putArray("flavors");
        for (Verdict v : verdicts) {
            ObjectNode o = arr.addObject().put("flavor", v.flavor()).put("systemd", v.systemd().toString()).put("merged", v.merged())
                    .put("exitStatus", v.prediction().exitStatus()).put("why", v.prediction().fate(image.path()).reason());
            v.prediction().mergedHierarchies().forEach(o.putArray("hierarchies")::add);
            v.traps().forEach(o.putArray("traps")::add);
            ArrayNode variants = o.putArray("variants");
            v.variants().forEach(u -> variants.addObject().put("name", u.name()).put("imagePolicy", u.imagePolicy())
                    .put("merged", u.merged()).put("why", u.why()));
        }
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
