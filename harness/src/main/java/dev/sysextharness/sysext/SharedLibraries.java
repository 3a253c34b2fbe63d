package dev.sysextharness.sysext;

import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.host.HarnessException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of an extension's programs and libraries the dynamic loader can start once the extension is merged, predicted
 * from the ELF files it ships and the node's loader before anything is merged, and proven with the loader's own listing
 * ({@code LD_TRACE_LOADED_OBJECTS=1 LOADER FILE}, which loads no code of the file). The case Kairos users meet: the
 * flavor's hierarchies have no /usr/lib64 (nor /usr/libexec), where Fedora and openSUSE keep libraries, so a library
 * shipped there is not merged and the program needing it does not start.
 *
 * <p>The loader's order (glibc, ld.so(8)): DT_RPATH of the object when it has no DT_RUNPATH, then DT_RUNPATH, then the
 * host's /etc/ld.so.cache (sysext runs no ldconfig: the cache knows the host's libraries only), then the system search
 * path the loader prints with --help. A library is found at a directory when the extension ships it there below a
 * merged hierarchy, or the host has it there (directories are compared after the host's symlinks are resolved:
 * /lib is /usr/lib on a merged-/usr host).
 */
public final class SharedLibraries {
    /** What the node's loader offers before the extension is merged. */
    public record HostLoader(List<String> systemDirs, Map<String, String> realDirs, Set<String> cached, Set<String> existing) {
        /** Where {@code dir} really is on the host (its symlinks resolved), or the directory as written, made lexically clean. */
        String real(String dir) {
            return realDirs.getOrDefault(dir, java.nio.file.Path.of(dir).normalize().toString());
        }
    }

    /** One DT_NEEDED entry of a shipped file: where the loader will find it (null: nowhere), and why. */
    public record Need(String file, String library, String foundAt, String why) {
        public boolean found() {
            return foundAt != null;
        }
    }

    /** Every need of every visible ELF file the extension ships, and which files will not load. */
    public record Prediction(List<Need> needs, Set<String> unloadable) {
        public String describe() {
            if (needs.isEmpty()) {
                return "libraries: no merged file of the extension needs a shared library";
            }
            List<String> files = new ArrayList<>();
            byFile().forEach((file, ns) -> files.add(file + (unloadable.contains(file) ? " will not start (" : " loads (")
                    + String.join(", ", ns.stream().map(n -> n.library() + (n.found() ? " at " + n.foundAt() : " not found")
                    + " — " + n.why()).toList()) + ")"));
            return "libraries: " + String.join("; ", files);
        }

        Map<String, List<Need>> byFile() {
            Map<String, List<Need>> m = new LinkedHashMap<>();
            needs.forEach(n -> m.computeIfAbsent(n.file(), k -> new ArrayList<>()).add(n));
            return m;
        }
    }

    /** The merged ELF files that need libraries, and the prediction for them. */
    public record Expected(Map<String, ElfDynamic> elfs, Prediction prediction) {
    }

    /** An extension's shipped paths (absolute) split into those the merged node will show and those it will not. */
    record Split(Set<String> visible, Set<String> invisible) {
        static Split of(Set<String> shipped, boolean merged, List<String> hierarchies) {
            Set<String> visible = new java.util.TreeSet<>();
            Set<String> invisible = new java.util.TreeSet<>();
            for (String f : shipped) {
                (merged && MergeExpectation.isBelowAny(hierarchies, f) ? visible : invisible).add("/" + f);
            }
            return new Split(visible, invisible);
        }
    }

    private SharedLibraries() {
    }

    /**
     * An author's extension's files by relative path: the bytes of each ELF file (what the oracle reads), an empty
     * array for everything else (only its path matters). An ELF file the oracle cannot read (truncated, or headers that
     * point outside it) is bad input, named in one line, before anything starts.
     */
    public static Map<String, byte[]> shippedBy(dev.sysextharness.extension.Extension ext) {
        Map<String, byte[]> out = new TreeMap<>();
        for (String f : ext.files()) {
            java.nio.file.Path p = ext.rootfs().resolve(f);
            byte[] bytes = new byte[0];
            if (java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(p)) {
                    if (ElfDynamic.isElf64LittleEndian(in.readNBytes(6))) {
                        bytes = java.nio.file.Files.readAllBytes(p);
                        try {
                            ElfDynamic.read(bytes);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot read " + p, e);
                }
            }
            out.put(f, bytes);
        }
        return out;
    }

    /**
     * The prediction for an extension's {@code shipped} files (relative path → bytes) on {@code guest}, which the oracle
     * has {@code merged} or not, on a node merging {@code hierarchies}; reads the node's loader, so call it before the
     * extension is placed.
     */
    public static Expected expect(Guest guest, Map<String, byte[]> shipped, boolean merged, List<String> hierarchies) {
        Map<String, ElfDynamic> elfs = visibleElfFiles(shipped, merged, hierarchies);
        Split split = Split.of(shipped.keySet(), merged, hierarchies);
        return new Expected(elfs, predict(elfs, split.visible(), split.invisible(), readHost(guest, elfs, split.visible())));
    }

    /**
     * The ELF files among {@code shipped} (relative path → bytes) that will be visible, i.e. lie below a merged
     * hierarchy of a merged extension, and need libraries; keyed by absolute path.
     */
    public static Map<String, ElfDynamic> visibleElfFiles(Map<String, byte[]> shipped, boolean merged, List<String> hierarchies) {
        Map<String, ElfDynamic> out = new TreeMap<>();
        if (!merged) {
            return out;
        }
        for (var e : shipped.entrySet()) {
            if (MergeExpectation.isBelowAny(hierarchies, e.getKey())) {
                ElfDynamic.read(e.getValue()).filter(ElfDynamic::needsLibraries).ifPresent(elf -> out.put("/" + e.getKey(), elf));
            }
        }
        return out;
    }

    /**
     * What can be said without a node: each need of a merged ELF file that the extension ships only outside the
     * flavor's hierarchies — the program will not start unless the host has that library too. One line each.
     */
    public static List<String> strandedNeeds(Map<String, byte[]> shipped, List<String> hierarchies) {
        Map<String, ElfDynamic> elfs = visibleElfFiles(shipped, true, hierarchies);
        List<String> out = new ArrayList<>();
        elfs.forEach((file, elf) -> {
            for (String lib : elf.needed()) {
                List<String> at = shipped.keySet().stream().filter(p -> p.equals(lib) || p.endsWith("/" + lib)).toList();
                if (!at.isEmpty() && at.stream().noneMatch(p -> MergeExpectation.isBelowAny(hierarchies, p))) {
                    out.add(file + " needs " + lib + ", shipped only at " + String.join(", ", at.stream().map(p -> "/" + p).toList())
                            + ", outside the flavor's hierarchies: it will not start unless the host has " + lib + " too");
                }
            }
        });
        return out;
    }

    /** The directories the loader may search for these files, before $ORIGIN and host symlinks: what to ask the host about. */
    static Set<String> searchDirs(Map<String, ElfDynamic> elfs) {
        Set<String> dirs = new LinkedHashSet<>();
        elfs.forEach((file, elf) -> {
            elf.rpath().forEach(d -> dirs.add(expandOrigin(d, file)));
            elf.runpath().forEach(d -> dirs.add(expandOrigin(d, file)));
        });
        return dirs;
    }

    /** $ORIGIN and ${ORIGIN}: the directory of the file that asks. */
    static String expandOrigin(String dir, String file) {
        String origin = file.substring(0, file.lastIndexOf('/'));
        return dir.replace("${ORIGIN}", origin).replace("$ORIGIN", origin);
    }

    /**
     * The prediction. {@code visible} and {@code invisible} are the extension's shipped paths (absolute) that will and
     * will not be seen on the merged node; {@code hierarchies} only name where an invisible library would have had to be.
     */
    public static Prediction predict(Map<String, ElfDynamic> elfs, Set<String> visible, Set<String> invisible, HostLoader host) {
        List<Need> needs = new ArrayList<>();
        for (var e : elfs.entrySet()) {
            for (String lib : e.getValue().needed()) {
                needs.add(find(e.getKey(), e.getValue(), lib, visible, invisible, host));
            }
        }
        Set<String> unloadable = new LinkedHashSet<>();
        for (String file : elfs.keySet()) {
            if (!loads(file, elfs, needs, new LinkedHashSet<>())) {
                unloadable.add(file);
            }
        }
        return new Prediction(List.copyOf(needs), unloadable);
    }

    private static boolean loads(String file, Map<String, ElfDynamic> elfs, List<Need> needs, Set<String> seen) {
        if (!seen.add(file)) {
            return true;
        }
        for (Need n : needs) {
            if (n.file().equals(file) && (!n.found() || elfs.containsKey(n.foundAt()) && !loads(n.foundAt(), elfs, needs, seen))) {
                return false;
            }
        }
        return true;
    }

    private static Need find(String file, ElfDynamic elf, String lib, Set<String> visible, Set<String> invisible, HostLoader host) {
        // DT_RPATH counts only when the file has no DT_RUNPATH
        List<String> first = elf.runpath().isEmpty() ? elf.rpath() : elf.runpath();
        String where = elf.runpath().isEmpty() ? "DT_RPATH" : "DT_RUNPATH";
        for (String d : first) {
            Need n = at(file, lib, host.real(expandOrigin(d, file)), where, visible, host);
            if (n != null) {
                return n;
            }
        }
        if (host.cached().contains(lib)) {
            return new Need(file, lib, "the host's ld.so.cache", "a library of the host");
        }
        for (String d : host.systemDirs()) {
            Need n = at(file, lib, host.real(d), "the system search path", visible, host);
            if (n != null) {
                return n;
            }
        }
        List<String> shippedElsewhere = invisible.stream().filter(p -> p.endsWith("/" + lib)).toList();
        String why = shippedElsewhere.isEmpty() ? "not shipped by the extension and not on the host"
                : "shipped at " + String.join(", ", shippedElsewhere) + ", outside the flavor's hierarchies, so never merged";
        return new Need(file, lib, null, why);
    }

    private static Need at(String file, String lib, String dir, String how, Set<String> visible, HostLoader host) {
        String path = java.nio.file.Path.of(dir, lib).normalize().toString();
        if (visible.stream().anyMatch(v -> v.equals(path))) {
            return new Need(file, lib, path, "shipped by the extension, merged, in " + how);
        }
        if (host.existing().contains(path)) {
            return new Need(file, lib, path, "on the host, in " + how);
        }
        return null;
    }

    /**
     * Reads the node's loader before the merge: its system search path ({@code LOADER --help}, glibc 2.33 and later),
     * the sonames its ld.so.cache lists for the files' architecture, where the search directories really are, and which
     * candidate paths exist on the host.
     */
    public static HostLoader readHost(Guest guest, Map<String, ElfDynamic> elfs, Set<String> shippedVisible) {
        if (elfs.isEmpty()) {
            return new HostLoader(List.of(), Map.of(), Set.of(), Set.of());
        }
        ElfDynamic any = elfs.values().iterator().next();
        String loader = any.loader();
        CommandResult help = guest.run(loader + " --help");
        List<String> systemDirs = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+(/\\S+) \\(system search path\\)$").matcher(help.stdout());
        while (m.find()) {
            systemDirs.add(m.group(1));
        }
        if (!help.succeeded() || systemDirs.isEmpty()) {
            throw new HarnessException(guest.flavor().name() + ": cannot read the loader's system search path from '" + loader
                    + " --help' (glibc 2.33 or later prints it): " + help.describe());
        }
        Set<String> dirs = new LinkedHashSet<>(searchDirs(elfs));
        dirs.addAll(systemDirs);
        StringBuilder script = new StringBuilder("for d in");
        dirs.forEach(d -> script.append(' ').append(DirectoryExtension.quote(d)));
        script.append("; do printf '%s\\t%s\\n' \"$d\" \"$(readlink -m \"$d\")\"; done");
        CommandResult real = guest.run(script.toString());
        if (!real.succeeded()) {
            throw new HarnessException(guest.flavor().name() + ": cannot resolve the loader's directories: " + real.describe());
        }
        Map<String, String> realDirs = new LinkedHashMap<>();
        real.stdout().lines().map(l -> l.split("\t", 2)).filter(p -> p.length == 2).forEach(p -> realDirs.put(p[0], p[1]));
        Set<String> libs = new LinkedHashSet<>();
        elfs.values().forEach(e -> libs.addAll(e.needed()));
        StringBuilder exists = new StringBuilder("for p in");
        for (String d : dirs) {
            for (String lib : libs) {
                exists.append(' ').append(DirectoryExtension.quote(realDirs.getOrDefault(d, d) + "/" + lib));
            }
        }
        exists.append("; do if [ -e \"$p\" ]; then echo \"$p\"; fi; done");
        CommandResult present = guest.run(exists.toString());
        CommandResult cache = guest.sudo("ldconfig -p");
        if (!present.succeeded() || !cache.succeeded()) {
            throw new HarnessException(guest.flavor().name() + ": cannot read the host's libraries: "
                    + (present.succeeded() ? cache : present).describe());
        }
        Set<String> cached = new LinkedHashSet<>();
        Matcher c = Pattern.compile("(?m)^\\s+(\\S+) \\(([^)]*)\\) =>").matcher(cache.stdout());
        while (c.find()) {
            if (libs.contains(c.group(1)) && c.group(2).contains(any.cacheArchitecture())) {
                cached.add(c.group(1));
            }
        }
        // what the host has before the merge; the extension's own paths are the prediction's other input
        Set<String> existing = new LinkedHashSet<>(present.stdout().lines().filter(l -> !l.isBlank()).toList());
        existing.removeAll(shippedVisible);
        return new HostLoader(systemDirs, realDirs, cached, existing);
    }

    /** The loader's listing of one file: library name → the path it found, or "not found". */
    public static Map<String, String> listing(Guest guest, String file, ElfDynamic elf) {
        CommandResult r = guest.run("LD_TRACE_LOADED_OBJECTS=1 " + elf.loader() + " " + DirectoryExtension.quote(file));
        if (!r.succeeded()) {
            throw new HarnessException(guest.flavor().name() + ": the loader could not list " + file + ": " + r.describe());
        }
        return parseListing(r.stdout());
    }

    static Map<String, String> parseListing(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = Pattern.compile("(?m)^\\s+(\\S+) => (not found|(\\S+) \\(0x[0-9a-f]+\\))$").matcher(out);
        while (x.find()) {
            m.put(x.group(1), x.group(3) != null ? x.group(3) : "not found");
        }
        return m;
    }

    /** Where a listing disagrees with the prediction, one line each (empty: every need as predicted). */
    public static List<String> mismatches(Prediction p, Map<String, Map<String, String>> listings) {
        List<String> out = new ArrayList<>();
        for (Need n : p.needs()) {
            String seen = listings.getOrDefault(n.file(), Map.of()).get(n.library());
            if (seen == null) {
                out.add(n.file() + ": the loader did not list " + n.library());
            } else if (n.found() == seen.equals("not found")) {
                out.add(n.file() + ": " + n.library() + " predicted " + (n.found() ? "found at " + n.foundAt() : "not found") + " ("
                        + n.why() + "), the loader says " + seen);
            }
        }
        return out;
    }
}
