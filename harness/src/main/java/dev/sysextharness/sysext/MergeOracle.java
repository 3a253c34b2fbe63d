package dev.sysextharness.sysext;

import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.SystemdVersion;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The oracle for the service as a whole: given every image in the search path of a node, what {@code systemd-sysext
 * refresh} — the service's ExecStart, with the flavor's hierarchies and image policy — does on a systemd version: its
 * exit status, each image's fate with its reason, the merged hierarchies, and the log lines that prove the reason on
 * that version. Every rule that differs between versions is a {@link Capability} row, measured on the reference
 * flavors; the rules that hold on all four are written here with what showed them.
 *
 * <p>The order is systemd's: discovery (precedence, masks), metadata (an image whose metadata cannot be read fails
 * the whole refresh), compatibility (an incompatible image is ignored, quietly), then the merge (an image the policy
 * refuses takes every other image down with it).
 */
public final class MergeOracle {
    /** The search directories in systemd's order of precedence: the first holding a name wins (measured on all four). */
    public static final List<String> SEARCH_PATH = List.of("/etc/extensions", "/run/extensions", "/var/lib/extensions");

    private MergeOracle() {
    }

    /** What an entry of a search directory is. */
    public enum Kind {
        /** A directory tree (an unpacked OCI image, a bundle). */
        DIRECTORY,
        /**
         * A NAME.raw whose data an image policy calls {@code unprotected}: a naked squashfs or erofs, or a DDI without
         * verity.
         */
        UNPROTECTED_RAW,
        /** A DDI with a verity hash partition and no signature: {@code verity}. */
        VERITY_RAW,
        /** A DDI with verity and a signature partition ({@link Image#signer()} the certificate): {@code signed} if trusted. */
        SIGNED_RAW,
        /** A NAME.raw that is no image at all (random bytes, a truncated file). */
        UNREADABLE_RAW,
        /**
         * A symlink to /dev/null: not an image, not listed, and — measured on 252.39, 254.26, 257.13 and 262.1, for a
         * directory and for a .raw of the same name — no mask either.
         */
        DEV_NULL_LINK,
        /**
         * A symlink to nothing (immucore's link of a common/ image before v0.13.0, a link left behind by {@code kairos-agent
         * sysext remove} without --now): not an image, not listed, no mask. Measured on 252.39, 254.26, 257.13 and 262.1
         * by restarting the flavor's service: with /run/extensions/gone.sysext.raw or /run/extensions/gonedir pointing at
         * nothing beside a good directory extension, the unit exits 0, logs "Using extensions 'good'." and nothing about
         * the link, {@code systemd-sysext list} shows only the good one and its file is visible; with
         * /run/extensions/shadow pointing at nothing, /var/lib/extensions/shadow still merges ("Using extensions 'good',
         * 'shadow'.", its file visible). The files: harness/src/test/resources/measured/links-to-nothing.
         */
        DANGLING_LINK
    }

    /**
     * One entry of a search directory. {@code fileName} is the entry's name ("hello", "tools.raw"); {@code releaseSuffix}
     * the suffix of its only extension-release file (null: none); {@code release} that file's fields; {@code files}
     * what it ships, relative (usr/bin/hello), release file included. An empty directory (no files, no release) is a mask.
     */
    public record Image(String dir, String fileName, Kind kind, String releaseSuffix, Map<String, String> release,
                        boolean strictFalse, boolean shipsOsRelease, Collection<String> files, String signer) {
        public Image(String dir, String fileName, Kind kind, String releaseSuffix, Map<String, String> release,
                     boolean strictFalse, boolean shipsOsRelease, Collection<String> files) {
            this(dir, fileName, kind, releaseSuffix, release, strictFalse, shipsOsRelease, files, null);
        }

        /** A symlink named {@code fileName} in {@code dir} that leads nowhere. */
        public static Image danglingLink(String dir, String fileName) {
            return new Image(dir, fileName, Kind.DANGLING_LINK, null, null, false, false, List.of());
        }

        /** The same entry in another search directory (a symlink there leading to it, as immucore links). */
        public Image in(String otherDir) {
            return new Image(otherDir, fileName, kind, releaseSuffix, release, strictFalse, shipsOsRelease, files, signer);
        }

        /**
         * An extension as defined ({@code run --extension}, the catalogue) placed in /var/lib/extensions as
         * {@code fileName}: a directory (unpacked image, bundle) or the .raw file itself.
         */
        public static Image of(dev.sysextharness.extension.Extension ext, String fileName, Kind kind) {
            var d = ext.definition();
            String text = d.releaseText();
            return new Image("/var/lib/extensions", fileName, kind, d.noRelease() ? null : d.releaseFileName(),
                    text == null ? null : Compatibility.parseRelease(text), false, ext.files().contains("usr/lib/os-release"), ext.files());
        }

        /**
         * An author's image file ({@code run --extension FILE.raw}) placed in /var/lib/extensions as {@code fileName}: its
         * kind and signer as read from the file (a naked squashfs or erofs, a DDI with or without verity, signed).
         */
        public static Image ofFile(dev.sysextharness.extension.Extension ext, String fileName) {
            var raw = ext.definition().rawImage();
            String protection = raw == null ? "unprotected" : raw.protection();
            Kind kind = switch (protection) {
                case "verity" -> Kind.VERITY_RAW;
                case "signed" -> Kind.SIGNED_RAW;
                default -> Kind.UNPROTECTED_RAW;
            };
            Image i = of(ext, fileName, kind);
            return new Image(i.dir, i.fileName, i.kind, i.releaseSuffix, i.release, i.strictFalse, i.shipsOsRelease, i.files,
                    raw == null ? null : raw.signer());
        }

        public String path() {
            return dir + "/" + fileName;
        }

        boolean isMask() {
            return kind == Kind.DIRECTORY && files.isEmpty() && releaseSuffix == null;
        }

        /** A symlink that is no image: to /dev/null or to nothing. */
        boolean isLink() {
            return kind == Kind.DEV_NULL_LINK || kind == Kind.DANGLING_LINK;
        }

        boolean isRaw() {
            return kind == Kind.UNPROTECTED_RAW || kind == Kind.UNREADABLE_RAW || kind == Kind.VERITY_RAW || kind == Kind.SIGNED_RAW;
        }

        /** What an image policy calls the image's data partition; null for what is not an image file. */
        String protection() {
            return switch (kind) {
                case UNPROTECTED_RAW -> "unprotected";
                case VERITY_RAW -> "verity";
                case SIGNED_RAW -> "signed";
                default -> null;
            };
        }
    }

    /** What happened to an image, and why. */
    public enum State {
        MERGED("merged"),
        IGNORED("ignored"),
        MASKED("masked"),
        SHADOWED("shadowed"),
        /** Its metadata could not be read, or the policy refused it: the image that failed the refresh. */
        FAILED("failed the refresh"),
        /** A good image not merged because another one failed the refresh or the merge. */
        ABORTED("aborted with the rest");

        private final String text;

        State(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * {@code evidence}: for an ignored image, a regular expression for the line systemd logs for its reason at debug
     * level (the service's own log names no reason for an ignored image); null otherwise.
     */
    public record Fate(String image, String name, State state, String reason, String evidence) {
        Fate(String image, String name, State state, String reason) {
            this(image, name, state, reason, null);
        }

        public String describe() {
            return image + " (" + name + "): " + state.text() + " — " + reason;
        }
    }

    /**
     * The prediction. {@code logPatterns}: regular expressions each of which some line of the refresh's output must
     * match on this version; {@code mergedHierarchies}: where status lists the merged images — every merged image on
     * every hierarchy any of them ships content below (status lists the whole merge per hierarchy: measured).
     */
    public record Prediction(int exitStatus, List<Fate> fates, List<String> mergedHierarchies, List<String> logPatterns,
                             String because) {
        public boolean succeeds() {
            return exitStatus == 0;
        }

        public List<String> merged() {
            return fates.stream().filter(f -> f.state() == State.MERGED).map(Fate::name).toList();
        }

        public Fate fate(String imageOrName) {
            return fates.stream().filter(f -> f.image().equals(imageOrName) || f.name().equals(imageOrName)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no image " + imageOrName + " in " + fates));
        }

        /** The prediction in the words of the report's "expected" column. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            parts.add("refresh exits " + exitStatus + " (" + because + ")");
            fates.forEach(f -> parts.add(f.describe()));
            parts.add(mergedHierarchies.isEmpty() ? "nothing merged" : "merged on " + String.join(" ", mergedHierarchies));
            parts.add("log lines: " + logPatterns);
            return String.join("; ", parts);
        }
    }

    /** The image name systemd gives an entry on this version. */
    public static String imageName(SystemdVersion v, Image image) {
        if (!image.isRaw() && !image.isLink()) {
            return image.fileName();
        }
        String n = image.fileName().endsWith(".raw") ? image.fileName().substring(0, image.fileName().length() - 4) : image.fileName();
        if (Capability.IMAGE_NAME_STRIPS_CLASS_SUFFIX.in(v) && n.endsWith(".sysext")) {
            n = n.substring(0, n.length() - ".sysext".length());
        }
        return n;
    }

    public static Prediction predict(SystemdVersion v, String imagePolicy, List<String> hierarchies, Map<String, String> host,
            List<Image> images) {
        return predict(v, imagePolicy, hierarchies, host, images, Trust.NONE);
    }

    /** As above, on a node that trusts the certificates in {@code trust} (by their SHA-256 fingerprints). */
    public static Prediction predict(SystemdVersion v, String imagePolicy, List<String> hierarchies, Map<String, String> host,
            List<Image> images, Trust trust) {
        List<Fate> fates = new ArrayList<>();
        // discovery: links to /dev/null or to nothing are skipped; the first directory of the search path holding a name wins
        Map<String, Image> winners = new LinkedHashMap<>();
        List<Image> ordered = images.stream().filter(i -> !i.isLink())
                .sorted(Comparator.comparingInt((Image i) -> SEARCH_PATH.indexOf(i.dir()))).toList();
        for (Image i : images) {
            if (i.kind() == Kind.DEV_NULL_LINK) {
                fates.add(new Fate(i.path(), imageName(v, i), State.IGNORED, "a symlink to /dev/null is no image, and masks nothing"
                        + " (measured on 252.39, 254.26, 257.13, 262.1)"));
            } else if (i.kind() == Kind.DANGLING_LINK) {
                fates.add(new Fate(i.path(), imageName(v, i), State.IGNORED, "a symlink to nothing is no image: skipped without a"
                        + " word, and masks nothing (measured on 252.39, 254.26, 257.13, 262.1)"));
            }
        }
        for (Image i : ordered) {
            String name = imageName(v, i);
            Image winner = winners.putIfAbsent(name, i);
            if (winner != null) {
                fates.add(new Fate(i.path(), name, winner.isMask() ? State.MASKED : State.SHADOWED, (winner.isMask()
                        ? "masked by the empty directory " + winner.path() : "shadowed by " + winner.path())
                        + " (the search path is " + String.join(", ", SEARCH_PATH) + ", first one wins: measured on all four)"));
            }
        }
        List<Image> candidates = new ArrayList<>(winners.values());
        candidates.sort(Comparator.comparing((Image i) -> imageName(v, i)));
        int ignored = 0;
        List<Image> compatible = new ArrayList<>();
        List<Image> unreadable = new ArrayList<>();
        Image osRelease = null;
        for (Image i : candidates) {
            String name = imageName(v, i);
            if (i.isMask()) {
                fates.add(new Fate(i.path(), name, State.MASKED, "an empty directory carries no release data: the name is masked"));
                ignored++;
                continue;
            }
            boolean releaseFits = i.releaseSuffix() != null && (i.releaseSuffix().equals(name)
                    || i.strictFalse() && Capability.STRICT_XATTR.in(v)
                    || i.isRaw() && Capability.RELEASE_NAMED_WITHOUT_VERSION.in(v) && name.indexOf('_') > 0
                    && i.releaseSuffix().equals(name.substring(0, name.indexOf('_'))));
            if (i.kind() == Kind.UNREADABLE_RAW) {
                unreadable.add(i);
                continue;
            }
            if (i.isRaw() && !releaseFits) {
                unreadable.add(i);
                continue;
            }
            if (i.shipsOsRelease() && Capability.OS_RELEASE_FAILS_MERGE.in(v)) {
                unreadable.add(i);
                continue;
            }
            if (!releaseFits) {
                fates.add(new Fate(i.path(), name, State.IGNORED, i.releaseSuffix() == null ? "it carries no extension-release file"
                        : "its extension-release file is extension-release." + i.releaseSuffix() + ", named for another image than '"
                        + name + "'", Compatibility.NO_RELEASE_EVIDENCE.replace("NAME", Pattern.quote(name))));
                ignored++;
                continue;
            }
            Compatibility.Verdict c = Compatibility.judge(v, host, i.release());
            if (!c.merged()) {
                fates.add(new Fate(i.path(), name, State.IGNORED, "incompatible: " + c.because(), c.evidenceFor(name)));
                ignored++;
                continue;
            }
            if (i.shipsOsRelease()) {
                osRelease = i;
            }
            compatible.add(i);
        }

        if (!unreadable.isEmpty()) {
            List<String> names = unreadable.stream().map(i -> imageName(v, i)).toList();
            for (Image i : unreadable) {
                String name = imageName(v, i);
                String why = i.kind() == Kind.UNREADABLE_RAW ? "its metadata cannot be read: it is no image ('Package not installed')"
                        : i.shipsOsRelease() ? "it ships usr/lib/os-release, refused when its metadata is read ("
                        + Capability.OS_RELEASE_FAILS_MERGE.source() + ")"
                        : "a .raw whose extension-release file is not named for its image name '" + name + "' has no metadata"
                        + " ('No medium found')";
                fates.add(new Fate(i.path(), name, State.FAILED, why));
            }
            abortTheRest(fates, compatible, v, "another image's metadata could not be read, which fails the whole refresh ("
                    + Capability.BROKEN_IMAGE_FAILS_REFRESH.source() + ")");
            // which failing image is named first depends on the order systemd reads them in (a hash map on 254)
            return new Prediction(1, fates, List.of(), List.of("Failed to read metadata for image (" + alternation(names)
                    + "): .*"), "an image's metadata cannot be read");
        }
        if (osRelease != null) {
            fates.add(new Fate(osRelease.path(), imageName(v, osRelease), State.FAILED, "it ships usr/lib/os-release: the merge is"
                    + " refused (before " + Capability.OS_RELEASE_FAILS_MERGE.since() + " this is not a metadata failure)"));
            compatible.remove(osRelease);
            abortTheRest(fates, compatible, v, "another image ships usr/lib/os-release, which refuses the whole merge");
            return new Prediction(0, fates, List.of(), List.of("Extension image contains /usr/lib/os-release file, which is not"
                    + " allowed.*refusing\\."), "the merge is refused, with exit status 0 on this version");
        }
        if (compatible.isEmpty()) {
            String line = ignored == 0 ? "No extensions found\\." : "No suitable extensions found \\(" + ignored
                    + " ignored due to incompatible " + (Capability.NO_SUITABLE_SAYS_IMAGES.in(v) ? "image\\(s\\)" : "version") + "\\)\\.";
            return new Prediction(0, fates, List.of(), List.of(line), ignored == 0 ? "there is no image" : "no image is compatible");
        }
        // before 254 there is no --image-policy: every protection is taken as it is
        ImagePolicy policy = Capability.IMAGE_POLICY.in(v) ? ImagePolicy.parse(imagePolicy) : null;
        Map<Image, Admission> admissions = new LinkedHashMap<>();
        for (Image i : compatible) {
            admissions.put(i, admission(v, policy, i, trust));
        }
        List<Image> refused = compatible.stream().filter(i -> admissions.get(i).verdict() == Verdict.REFUSED).toList();
        List<Image> keyless = compatible.stream().filter(i -> admissions.get(i).verdict() == Verdict.KEY_REJECTED).toList();
        if (!refused.isEmpty() || !keyless.isEmpty()) {
            List<Image> rest = new ArrayList<>(compatible);
            for (Image i : compatible) {
                if (admissions.get(i).verdict() != Verdict.ADMITTED) {
                    fates.add(new Fate(i.path(), imageName(v, i), State.FAILED, admissions.get(i).because()));
                    rest.remove(i);
                }
            }
            abortTheRest(fates, rest, v, "another image was refused, which stops the whole merge (kairos#4988)");
            boolean fails = Capability.POLICY_REFUSAL_FAILS_REFRESH.in(v);
            List<String> lines = new ArrayList<>();
            if (!refused.isEmpty()) {
                lines.add("(" + alternation(refused.stream().map(Image::path).toList()) + "): Image does not match image policy\\.");
            }
            if (!keyless.isEmpty()) {
                lines.add(KEY_REJECTED_LINE);
                if (!fails) {
                    lines.add("Failed to decrypt image: Device or resource busy");
                }
            }
            if (fails) {
                lines.add("Failed to merge hierarchies");
            }
            return new Prediction(fails ? 1 : 0, fates, List.of(), lines, (refused.isEmpty() ? "" : "the image policy refuses an image")
                    + (refused.isEmpty() || keyless.isEmpty() ? "" : "; ")
                    + (keyless.isEmpty() ? "" : "the kernel refuses a signature and systemd does not fall back")
                    + (fails ? "" : "; on this version the refresh still exits 0 (" + Capability.POLICY_REFUSAL_FAILS_REFRESH.measured() + ")"));
        }
        Set<String> merged = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        for (Image i : compatible) {
            String name = imageName(v, i);
            Admission a = admissions.get(i);
            fates.add(new Fate(i.path(), name, State.MERGED, Compatibility.judge(v, host, i.release()).because()
                    + (a.because() == null ? "" : "; " + a.because())));
            if (a.keyLine()) {
                lines.add(KEY_REJECTED_LINE);
            }
            merged.addAll(MergeExpectation.hierarchiesFor(hierarchies, i.files()));
            String shown = i.isRaw() && Capability.USING_LINE_NAMES_RAW_FILES.in(v) ? i.fileName() : name;
            lines.add("Using extensions .*'" + Pattern.quote(shown) + "'.*");
        }
        List<String> mergedHierarchies = hierarchies.stream().filter(merged::contains).sorted().toList(); // status's order
        mergedHierarchies.forEach(h -> lines.add("Merged extensions into '" + Pattern.quote(h) + "'\\."));
        return new Prediction(0, fates, mergedHierarchies, lines, compatible.size() + " compatible image(s) merge");
    }

    /** The line the kernel's refusal of a verity signature leaves in the refresh's output (measured on all four). */
    static final String KEY_REJECTED_LINE = "device-mapper: reload ioctl on .* failed: Required key not available";

    /**
     * The certificates a node trusts, by SHA-256 fingerprint: {@code kernel}, those in the kernel's keyrings (from the
     * firmware's db on a Secure Boot node); {@code verityDirs}, those in /run/verity.d or /etc/verity.d, which systemd
     * checks in userspace when the kernel refuses ({@link Capability#USERSPACE_VERITY_SIGNATURE});
     * {@code firmwareDbIgnored}, those the firmware's db holds but the kernel does not take for verity (its .platform
     * keyring is not one dm-verity consults: flavor field {@code sysext.kernelTrustsFirmwareDb}).
     */
    public record Trust(Set<String> kernel, Set<String> verityDirs, Set<String> firmwareDbIgnored) {
        public static final Trust NONE = new Trust(Set.of(), Set.of());

        public Trust {
            kernel = Set.copyOf(kernel);
            verityDirs = Set.copyOf(verityDirs);
            firmwareDbIgnored = Set.copyOf(firmwareDbIgnored);
        }

        public Trust(Set<String> kernel, Set<String> verityDirs) {
            this(kernel, verityDirs, Set.of());
        }

        /** Only userspace trust: the certificates dropped into /run/verity.d. */
        public static Trust verityDirs(String... fingerprints) {
            return new Trust(Set.of(), Set.of(fingerprints));
        }
    }

    /** Where the kernel's use of the firmware's db was measured. */
    static final String FIRMWARE_DB_MEASURED = "measured under OVMF on each reference kernel,"
            + " harness/src/test/resources/measured/kernel-trust/";

    enum Verdict { ADMITTED, REFUSED, KEY_REJECTED }

    /** What the policy and the node's trust make of one image file; {@code keyLine}: the kernel's refusal is logged. */
    record Admission(Verdict verdict, String because, boolean keyLine) {
    }

    /**
     * One image file under the policy (null: no policy option on this version), measured on 252.39, 254.26, 257.13 and
     * 262.1 with a naked squashfs and plain, verity, signed-trusted and signed-untrusted DDIs made by systemd-repart, each
     * alone, under no policy and Kairos's three, with the trusted certificate nowhere, in /run/verity.d, in /etc/verity.d.
     */
    static Admission admission(SystemdVersion v, ImagePolicy policy, Image i, Trust trust) {
        String protection = i.protection();
        if (protection == null) {
            return new Admission(Verdict.ADMITTED, null, false);
        }
        String said = policy == null ? "systemd-sysext without --image-policy (which exists from 254)" : policy.describe();
        boolean allowsVerity = policy == null || policy.allows("root", "verity");
        if (protection.equals("signed")) {
            boolean allowsSigned = policy == null || policy.allows("root", "signed");
            if (!allowsSigned) {
                if (!allowsVerity) {
                    return new Admission(Verdict.REFUSED, said + " allows neither signed nor verity", false);
                }
                // Where systemd falls back to verity it offers the signature first: only a kernel that does not trust
                // the signer refuses it and logs so; one holding the certificate (the firmware's db) refuses nothing.
                boolean kernelTrusts = i.signer() != null && trust.kernel().contains(i.signer());
                return new Admission(Verdict.ADMITTED, said + " does not ask for the signature: set up with verity alone"
                        + (kernelTrusts ? " (the kernel trusts its signer, so it refuses nothing on the way)" : ""),
                        Capability.SIGNED_FALLS_BACK_TO_VERITY.in(v) && !kernelTrusts);
            }
            if (i.signer() != null && trust.kernel().contains(i.signer())) {
                return new Admission(Verdict.ADMITTED, "signed by a certificate in the kernel's keyring (the firmware's db: "
                        + FIRMWARE_DB_MEASURED + ")", false);
            }
            if (i.signer() != null && trust.verityDirs().contains(i.signer()) && Capability.USERSPACE_VERITY_SIGNATURE.in(v)) {
                return new Admission(Verdict.ADMITTED, "the kernel does not know its certificate, systemd finds it in /run/verity.d ("
                        + Capability.USERSPACE_VERITY_SIGNATURE.measured() + ")", true);
            }
            String untrusted = "signed by certificate " + i.signer() + ", which the node does not trust"
                    + (i.signer() != null && trust.firmwareDbIgnored().contains(i.signer()) ? " (its firmware's db holds it, but this"
                    + " kernel's dm-verity does not consult the .platform keyring: " + FIRMWARE_DB_MEASURED + ")" : "");
            if (allowsVerity && Capability.SIGNED_FALLS_BACK_TO_VERITY.in(v)) {
                return new Admission(Verdict.ADMITTED, untrusted + "; " + said + " allows verity, so systemd falls back to verity"
                        + " without the signature (" + Capability.SIGNED_FALLS_BACK_TO_VERITY.source() + ")", true);
            }
            return new Admission(Verdict.KEY_REJECTED, untrusted + ": the kernel refuses the signature (ENOKEY) and " + said
                    + (allowsVerity ? " allows verity, but systemd does not fall back to it on this version ("
                    + Capability.SIGNED_FALLS_BACK_TO_VERITY.measured() + ")" : " allows nothing less"), true);
        }
        if (policy == null || policy.allows("root", protection)) {
            return new Admission(Verdict.ADMITTED, null, false);
        }
        return new Admission(Verdict.REFUSED, "the " + said + " refuses " + (protection.equals("unprotected")
                ? "an image without verity" : "an image with verity but no signature") + " (" + Capability.IMAGE_POLICY.source() + ")", false);
    }

    private static void abortTheRest(List<Fate> fates, List<Image> rest, SystemdVersion v, String why) {
        for (Image i : rest) {
            fates.add(new Fate(i.path(), imageName(v, i), State.ABORTED, why));
        }
    }

    private static String alternation(List<String> literals) {
        return String.join("|", literals.stream().map(Pattern::quote).toList());
    }
}
