package dev.sysextharness.cli;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Progress;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.image.KairosIso;
import dev.sysextharness.scenario.ScenarioRun;
import dev.sysextharness.scenario.SessionParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Bring your own Kairos image: options for commands that may install a kairos flavor. */
final class IsoOptions {
    @Option(names = "--iso", paramLabel = "PATH", description = "A Kairos ISO on disk, used instead of the flavor's URL.")
    Path iso;

    @Option(names = "--iso-url", paramLabel = "URL", description = "Download the Kairos ISO from this URL instead (with --sha256).")
    String isoUrl;

    @Option(names = "--sha256", paramLabel = "HEX", description = "The ISO's sha256 (else the flavor's, else <URL>.sha256).")
    String sha256;

    boolean any() {
        return iso != null || isoUrl != null || sha256 != null;
    }

    /**
     * Checks the options against the flavors and finds (or downloads) each kairos flavor's ISO before anything
     * boots, so a missing ISO is one line now rather than a failure after image builds.
     */
    List<Flavor> prepare(List<Flavor> flavors, FlavorImages images, Progress progress) {
        check(flavors);
        KairosIso isos = images.kairosIso();
        List<Flavor> applied = flavors.stream().map(this::apply).toList();
        for (Flavor f : applied) {
            if (f.family() == Family.KAIROS) {
                isos.locate(f, progress);
            }
        }
        return applied;
    }

    /** The checks that need no network and write nothing: usage errors, before anything starts. */
    void check(List<Flavor> flavors) {
        List<Flavor> kairos = flavors.stream().filter(f -> f.family() == Family.KAIROS).toList();
        if (any() && kairos.isEmpty()) {
            throw new ConfigException("--iso, --iso-url and --sha256 apply to kairos flavors; none of " + flavors.stream()
                    .map(Flavor::name).toList() + " is one");
        }
        if (iso != null && isoUrl != null) {
            throw new ConfigException("--iso and --iso-url: give one of them");
        }
        if (iso != null && !Files.isRegularFile(iso)) {
            throw new ConfigException("--iso " + iso + ": no such file");
        }
        if (iso != null) {
            KairosIso.requireIso9660(iso, "--iso " + iso);
        }
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new ConfigException("--sha256: expected 64 lowercase hex digits, got '" + sha256 + "'");
        }
    }

    Flavor apply(Flavor f) {
        return f.withIso(iso, isoUrl, sha256);
    }

    void passTo(ScenarioRun run) {
        if (iso != null) {
            run.parameter(SessionParameters.ISO, iso.toAbsolutePath().toString());
        }
        if (isoUrl != null) {
            run.parameter(SessionParameters.ISO_URL, isoUrl);
        }
        if (sha256 != null) {
            run.parameter(SessionParameters.ISO_SHA256, sha256);
        }
    }
}
