package dev.sysextharness.scenario;

import dev.sysextharness.extension.RegistryImage;
import dev.sysextharness.guest.Lane;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything a run tells its scenario session, read from JUnit configuration parameters (which fall back to system
 * properties): the {@link RunConfiguration} shared with every command, and what only a scenario run has — where its
 * evidence goes, cold boots, its lanes, the author's extension, a Kairos ISO of one's own, the registry container's
 * image. A record, so two runs share a session exactly when they agree on all of it.
 */
public record SessionParameters(RunConfiguration config, Path evidenceRoot, boolean cold, List<Lane> lanes, Path userExtension,
                                Path iso, String isoUrl, String sha256, String registryImage, KeptNode kept, int jobs) {
    public static final String EVIDENCE_DIR = "sysext.evidenceDir";
    /** "true": every node cold-boots; otherwise nodes start from a saved ready state. */
    public static final String COLD = "sysext.cold";
    /** A user's extension definition directory to certify (extension.yaml + rootfs/). */
    public static final String USER_EXTENSION = "sysext.extension";
    /** Bring your own Kairos image: a local ISO, or a URL with its sha256, used for every kairos flavor of the run. */
    public static final String ISO = "sysext.iso";
    public static final String ISO_URL = "sysext.isoUrl";
    public static final String ISO_SHA256 = "sysext.sha256";
    /** "vm" (default), "container" or "all": the lanes scenarios run in (each only in the lanes it declares). */
    public static final String LANES = "sysext.lanes";
    /** The registry container's image (default: the locally built {@link RegistryImage#DEFAULT}). */
    public static final String REGISTRY_IMAGE = "sysext.registryImage";

    /** How many scenarios run at once ({@code --jobs}; default 1): the run's VM nodes share the host's cores under TCG. */
    public static final String JOBS = "sysext.jobs";

    /** A {@link KeptNode} token: the first VM node whose cell fails or errs is kept for a person instead of closed. */
    public static final String KEEP = "sysext.keep";

    /** Every parameter the session reads: two runs share a session only when all of them agree. */
    static final List<String> NAMES = List.of(RunConfiguration.FLAVORS, RunConfiguration.ACCEL, RunConfiguration.CACHE_DIR,
            RunConfiguration.REGISTRY, RunConfiguration.REGISTRY_PORT, EVIDENCE_DIR, COLD, LANES, USER_EXTENSION, ISO, ISO_URL,
            ISO_SHA256, REGISTRY_IMAGE, KEEP, JOBS);

    static SessionParameters from(Function<String, Optional<String>> p) {
        RunConfiguration config = RunConfiguration.from(p);
        return new SessionParameters(config, p.apply(EVIDENCE_DIR).map(Path::of).orElse(config.workspace().reportsDir()
                .resolve("evidence-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))),
                p.apply(COLD).map(Boolean::parseBoolean).orElse(false), Lane.parseAll(p.apply(LANES).orElse(Lane.VM.label())),
                p.apply(USER_EXTENSION).map(Path::of).orElse(null), p.apply(ISO).map(Path::of).orElse(null), p.apply(ISO_URL).orElse(null),
                p.apply(ISO_SHA256).orElse(null), p.apply(REGISTRY_IMAGE).orElse(RegistryImage.DEFAULT),
                KeptNode.of(p.apply(KEEP).orElse(null)), p.apply(JOBS).map(Integer::parseInt).orElse(1));
    }
}
