package dev.sysextharness.sysext;

import dev.sysextharness.guest.Mount;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;

/**
 * {@code assertThat(sysext).hasMerged("hello").on("/usr/bin")}: failures say what was expected, on which flavor and
 * systemd, what status said, and where the transcript is.
 */
public final class SysextAssert extends AbstractAssert<SysextAssert, Sysext> {
    private String extension;
    /** The status read by the assertion that started this chain; on()/notOn() judge the same observation. */
    private SysextStatus observed;

    private SysextAssert(Sysext actual) {
        super(actual, SysextAssert.class);
    }

    public static SysextAssert assertThat(Sysext sysext) {
        return new SysextAssert(sysext);
    }

    private String context(SysextStatus status) {
        return "(flavor " + actual.flavor().name() + " in the " + actual.guest().lane().label() + " lane, systemd " + actual.flavor().systemdVersion() + ") but status was "
                + status.raw() + "; see " + actual.guest().transcript().file();
    }

    /** Merged on at least one hierarchy. */
    public SysextAssert hasMerged(String name) {
        extension = name;
        SysextStatus s = actual.status();
        observed = s;
        if (s.hierarchiesWith(name).isEmpty()) {
            failWithMessage("expected extension '%s' merged %s", name, context(s));
        }
        return this;
    }

    /**
     * After {@link #hasMerged}: merged on exactly these hierarchies — on each of them (an overlay mounted there), and on
     * no other. See {@link #includes} for "at least".
     */
    public SysextAssert on(String... hierarchies) {
        includes(hierarchies);
        List<String> extra = new java.util.ArrayList<>(observed.hierarchiesWith(extension));
        extra.removeAll(List.of(hierarchies));
        if (!extra.isEmpty()) {
            failWithMessage("expected extension '%s' merged on exactly %s, but it is also on %s %s", extension,
                    List.of(hierarchies), extra, context(observed));
        }
        return this;
    }

    /** After {@link #hasMerged}: merged on at least these hierarchies, each with an overlay mounted there. */
    public SysextAssert includes(String... hierarchies) {
        SysextStatus s = observed;
        List<String> on = s.hierarchiesWith(extension);
        for (String h : hierarchies) {
            if (!on.contains(h)) {
                failWithMessage("expected extension '%s' merged on %s %s", extension, h, context(s));
            }
        }
        Map<String, Mount> mounts = actual.mounts(hierarchies);
        for (String h : hierarchies) {
            Mount m = mounts.get(h);
            if (m == null || !m.fsType().equals("overlay")) {
                failWithMessage("expected an overlay mount on %s for extension '%s' but findmnt shows %s (flavor %s)",
                        h, extension, m, actual.flavor().name());
            }
        }
        return this;
    }

    /** After {@link #hasMerged}: not merged on this hierarchy, which is also not overmounted by sysext. */
    public SysextAssert notOn(String hierarchy) {
        SysextStatus s = observed;
        if (s.hierarchiesWith(extension).contains(hierarchy)) {
            failWithMessage("expected extension '%s' NOT merged on %s %s", extension, hierarchy, context(s));
        }
        return this;
    }

    /**
     * The service's last run did what {@code p} predicts, on every count the prediction makes: its exit status (the
     * unit's ExecMainStatus on a node; the refresh's own in a container), a line of its log for every predicted pattern
     * (the evidence of the reason on this version), and a status in which exactly the predicted hierarchies are merged,
     * each listing exactly the predicted images. Each fact seen is recorded as the cell's observation.
     */
    public SysextAssert refreshedAs(MergeOracle.Prediction p) {
        p.logPatterns().forEach(actual.guest().transcript()::predicted);
        if (!p.succeeds()) {
            actual.guest().transcript().predicted("unit:systemd-sysext.service");
        }
        Sysext.AfterRun after = actual.afterRun();
        Map<String, String> state = after.serviceState();
        String exit = state.getOrDefault("ExecMainStatus", "?");
        actual.guest().transcript().observe("service " + state.getOrDefault("ActiveState", "?") + ", exit " + exit);
        if (!exit.equals(Integer.toString(p.exitStatus()))) {
            failWithMessage("expected the refresh to exit %d (%s) but it exited %s (flavor %s, systemd %s); see %s", p.exitStatus(),
                    p.because(), exit, actual.flavor().name(), actual.guest().systemd(), actual.guest().transcript().file());
        }
        // journald takes the unit's output from a stream: its last lines may land a moment after the unit ended
        List<java.util.regex.Pattern> patterns = p.logPatterns().stream().map(java.util.regex.Pattern::compile).toList();
        java.util.concurrent.atomic.AtomicReference<List<String>> log
                = new java.util.concurrent.atomic.AtomicReference<>(after.lastRunLog().lines().map(String::strip).toList());
        java.util.function.BooleanSupplier allLogged
                = () -> patterns.stream().allMatch(re -> log.get().stream().anyMatch(l -> re.matcher(l).find()));
        if (!allLogged.getAsBoolean()) {
            try {
                org.awaitility.Awaitility.await("the service's log lines").atMost(java.time.Duration.ofSeconds(10))
                        .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(250)).pollInSameThread()
                        .until(() -> {
                            log.set(actual.lastRunLog().stdout().lines().map(String::strip).toList());
                            return allLogged.getAsBoolean();
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // reported below, pattern by pattern
            }
        }
        for (java.util.regex.Pattern re : patterns) {
            String line = log.get().stream().filter(l -> re.matcher(l).find()).findFirst().orElse(null);
            if (line == null) {
                failWithMessage("expected a line matching '%s' in the service's log (%s) but within 10 s it logged: %s (flavor %s,"
                        + " systemd %s)", re.pattern(), p.because(), log.get(), actual.flavor().name(), actual.guest().systemd());
            }
            actual.guest().transcript().observe("log: " + line);
        }
        List<MergeOracle.Fate> reasoned = p.fates().stream().filter(f -> f.evidence() != null).toList();
        if (!reasoned.isEmpty()) {
            List<String> debug = actual.debugRefresh().stderr().lines().map(String::strip).toList();
            for (MergeOracle.Fate f : reasoned) {
                java.util.regex.Pattern re = java.util.regex.Pattern.compile(f.evidence());
                String line = debug.stream().filter(l -> re.matcher(l).find()).findFirst().orElse(null);
                if (line == null) {
                    failWithMessage("expected systemd to give the reason '%s' for %s with a line matching '%s' in its debug log, but"
                            + " it did not (flavor %s, systemd %s); see %s", f.reason(), f.image(), f.evidence(),
                            actual.flavor().name(), actual.guest().systemd(), actual.guest().transcript().file());
                }
                actual.guest().transcript().observe("debug log: " + line);
            }
        }
        SysextStatus s = actual.observed(after.status()); // as the service's run left it, before any debug refresh
        List<String> mergedOn = s.hierarchies().stream().filter(HierarchyStatus::merged).map(HierarchyStatus::hierarchy).toList();
        if (!new java.util.TreeSet<>(mergedOn).equals(new java.util.TreeSet<>(p.mergedHierarchies()))) {
            failWithMessage("expected merges on exactly %s but status shows them on %s %s", p.mergedHierarchies(), mergedOn, context(s));
        }
        java.util.Set<String> expected = new java.util.TreeSet<>(p.merged());
        for (String h : mergedOn) {
            if (!new java.util.TreeSet<>(s.extensionsOn(h)).equals(expected)) {
                failWithMessage("expected %s to list exactly %s but it lists %s %s", h, expected, s.extensionsOn(h), context(s));
            }
        }
        return this;
    }

    /**
     * Every file the extension ships is on the node exactly as the oracle says: with the author's bytes where it is
     * {@code merged} and the path lies below a merged hierarchy, not so elsewhere, and whited-out paths absent. The
     * expected and observed lists go to files-expected.txt and files-observed.txt in the cell's evidence.
     */
    public SysextAssert showsTheShippedFiles(dev.sysextharness.extension.Extension ext, boolean merged) {
        List<ShippedFiles.Expected> expected = ShippedFiles.expected(ext, merged, actual.hierarchies());
        List<ShippedFiles.Seen> seen = ShippedFiles.observe(actual.guest(), expected);
        ShippedFiles.record(actual.guest().evidenceDir(), expected, seen);
        long visible = expected.stream().filter(ShippedFiles.Expected::visible).count();
        long whiteouts = expected.stream().filter(e -> e.content().equals("missing")).count();
        actual.guest().transcript().observe("files: " + visible + " of " + (expected.size() - whiteouts) + " shipped files expected"
                + " visible with the author's bytes" + (whiteouts == 0 ? "" : ", " + whiteouts + " whited-out paths expected absent")
                + "; checked " + expected.size() + " paths (files-observed.txt)");
        List<String> wrong = ShippedFiles.mismatches(expected, seen);
        if (!wrong.isEmpty()) {
            failWithMessage("expected %s's files as the oracle says (merged: %s) but %d of %d paths differ: %s (flavor %s); see %s",
                    ext.extensionName(), merged, wrong.size(), expected.size(), wrong.subList(0, Math.min(5, wrong.size())),
                    actual.flavor().name(), actual.guest().evidenceDir().resolve("files-observed.txt"));
        }
        return this;
    }

    /**
     * Every library the merged ELF files need is found, or not, as {@code p} says, in the node's own loader's listing
     * of each file ({@code LD_TRACE_LOADED_OBJECTS=1}: none of the files' code runs). Prediction and listings go to
     * libraries.txt in the cell's evidence.
     */
    public SysextAssert loadsLibrariesAs(SharedLibraries.Expected expected) {
        Map<String, ElfDynamic> elfs = expected.elfs();
        SharedLibraries.Prediction p = expected.prediction();
        Map<String, Map<String, String>> listings = new java.util.TreeMap<>();
        elfs.forEach((file, elf) -> listings.put(file, SharedLibraries.listing(actual.guest(), file, elf)));
        StringBuilder evidence = new StringBuilder("predicted: ").append(p.describe()).append("\n\nthe loader's listings:\n");
        listings.forEach((file, l) -> l.forEach((lib, at) -> evidence.append(file).append('\t').append(lib).append('\t').append(at)
                .append('\n')));
        try {
            java.nio.file.Files.createDirectories(actual.guest().evidenceDir());
            java.nio.file.Files.writeString(actual.guest().evidenceDir().resolve("libraries.txt"), evidence);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write libraries.txt in " + actual.guest().evidenceDir(), e);
        }
        List<String> notFound = new java.util.ArrayList<>();
        listings.forEach((file, l) -> l.forEach((lib, at) -> {
            if (at.equals("not found") && elfs.get(file).needed().contains(lib)) {
                notFound.add(file + " needs " + lib);
            }
        }));
        actual.guest().transcript().observe("loader: " + listings.size() + " merged ELF files listed; not found: "
                + (notFound.isEmpty() ? "nothing" : String.join(", ", notFound)));
        List<String> wrong = SharedLibraries.mismatches(p, listings);
        if (!wrong.isEmpty()) {
            failWithMessage("expected the loader to find the libraries as the oracle says but %d needs differ: %s (flavor %s); see %s",
                    wrong.size(), wrong.subList(0, Math.min(5, wrong.size())), actual.flavor().name(),
                    actual.guest().evidenceDir().resolve("libraries.txt"));
        }
        return this;
    }

    public SysextAssert hasNotMerged(String name) {
        SysextStatus s = actual.status();
        if (!s.hierarchiesWith(name).isEmpty()) {
            failWithMessage("expected extension '%s' not merged anywhere %s", name, context(s));
        }
        return this;
    }

    public SysextAssert hasNothingMerged() {
        SysextStatus s = actual.status();
        if (s.anyMerged()) {
            failWithMessage("expected nothing merged %s", context(s));
        }
        return this;
    }
}
