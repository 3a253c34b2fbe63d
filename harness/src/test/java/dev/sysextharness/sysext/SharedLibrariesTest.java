package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The loader's search as the oracle models it, against hosts described by hand. */
class SharedLibrariesTest {
    static final List<String> KAIROS_HIERARCHIES = List.of("/usr/local/bin", "/usr/local/sbin", "/usr/local/include", "/usr/local/lib",
            "/usr/local/share", "/usr/local/src", "/usr/bin", "/usr/share", "/usr/lib", "/usr/include", "/usr/src", "/usr/sbin");
    /** A merged-/usr Debian host: /lib is /usr/lib. */
    static final SharedLibraries.HostLoader DEBIAN = new SharedLibraries.HostLoader(
            List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"),
            Map.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"), Set.of("libc.so.6"),
            Set.of("/usr/lib/x86_64-linux-gnu/libz.so.1"));

    static Map<String, byte[]> splitLibs() {
        Map<String, byte[]> shipped = new TreeMap<>();
        shipped.put("usr/bin/needs-lib64", ElfFixture.program("a", List.of("liblib64.so.1", "libc.so.6"), "/usr/lib64"));
        shipped.put("usr/lib64/liblib64.so.1", ElfFixture.library("liblib64.so.1"));
        shipped.put("usr/bin/needs-usr-lib", ElfFixture.program("b", List.of("libusr.so.1"), "/usr/lib/x"));
        shipped.put("usr/lib/x/libusr.so.1", ElfFixture.library("libusr.so.1"));
        shipped.put("usr/bin/needs-system-dir", ElfFixture.program("c", List.of("libsys.so.1", "libz.so.1"), null));
        shipped.put("usr/lib/libsys.so.1", ElfFixture.library("libsys.so.1"));
        shipped.put("usr/libexec/helper", "#!/bin/sh\n".getBytes());
        return shipped;
    }

    static SharedLibraries.Prediction predict(Map<String, byte[]> shipped, boolean merged, List<String> hierarchies) {
        Map<String, ElfDynamic> elfs = SharedLibraries.visibleElfFiles(shipped, merged, hierarchies);
        SharedLibraries.Split split = SharedLibraries.Split.of(shipped.keySet(), merged, hierarchies);
        return SharedLibraries.predict(elfs, split.visible(), split.invisible(), DEBIAN);
    }

    @Test
    void aLibraryInUsrLib64IsNotFoundUnderKairossHierarchiesAndItsProgramWillNotStart() {
        SharedLibraries.Prediction p = predict(splitLibs(), true, KAIROS_HIERARCHIES);
        assertThat(p.unloadable()).containsExactly("/usr/bin/needs-lib64");
        assertThat(p.needs()).filteredOn(n -> n.library().equals("liblib64.so.1")).singleElement().satisfies(n -> {
            assertThat(n.found()).isFalse();
            assertThat(n.why()).isEqualTo("shipped at /usr/lib64/liblib64.so.1, outside the flavor's hierarchies, so never merged");
        });
        assertThat(p.needs()).filteredOn(n -> n.library().equals("libc.so.6")).singleElement()
                .satisfies(n -> assertThat(n.foundAt()).isEqualTo("the host's ld.so.cache"));
        assertThat(p.needs()).filteredOn(n -> n.library().equals("libusr.so.1")).singleElement()
                .satisfies(n -> assertThat(n.foundAt()).isEqualTo("/usr/lib/x/libusr.so.1"));
        // the system search path names /lib, which is /usr/lib on this host, where the extension's library is merged
        assertThat(p.needs()).filteredOn(n -> n.library().equals("libsys.so.1")).singleElement()
                .satisfies(n -> assertThat(n.why()).isEqualTo("shipped by the extension, merged, in the system search path"));
        assertThat(p.needs()).filteredOn(n -> n.library().equals("libz.so.1")).singleElement()
                .satisfies(n -> assertThat(n.why()).isEqualTo("on the host, in the system search path"));
    }

    @Test
    void withUsrLib64AmongTheHierarchiesEveryProgramStarts() {
        List<String> withLib64 = new java.util.ArrayList<>(KAIROS_HIERARCHIES);
        withLib64.add("/usr/lib64");
        assertThat(predict(splitLibs(), true, withLib64).unloadable()).isEmpty();
    }

    @Test
    void anUnmergedExtensionHasNoFileForTheLoader() {
        SharedLibraries.Prediction p = predict(splitLibs(), false, KAIROS_HIERARCHIES);
        assertThat(p.needs()).isEmpty();
        assertThat(p.describe()).isEqualTo("libraries: no merged file of the extension needs a shared library");
    }

    @Test
    void aProgramWhoseMergedLibraryCannotLoadWillNotStartEither() {
        Map<String, byte[]> shipped = new TreeMap<>();
        shipped.put("usr/bin/tool", ElfFixture.program("t", List.of("libmid.so.1"), "$ORIGIN/../lib/tool"));
        shipped.put("usr/lib/tool/libmid.so.1", ElfFixture.program("not run", List.of("libgone.so.1"), null));
        SharedLibraries.Prediction p = predict(shipped, true, KAIROS_HIERARCHIES);
        assertThat(p.needs()).filteredOn(n -> n.library().equals("libmid.so.1")).singleElement()
                .satisfies(n -> assertThat(n.foundAt()).as("$ORIGIN expanded").isEqualTo("/usr/lib/tool/libmid.so.1"));
        assertThat(p.unloadable()).as("the library's own need is missing, so both fail")
                .containsExactlyInAnyOrder("/usr/bin/tool", "/usr/lib/tool/libmid.so.1");
    }

    @Test
    void theLoadersListingIsReadLineByLineAndComparedNeedByNeed() {
        Map<String, String> listing = SharedLibraries.parseListing("""
                \tlinux-vdso.so.1 (0x00007ffd4d3f2000)
                \tliblib64.so.1 => not found
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1c1a200000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f1c1a5c8000)
                """);
        assertThat(listing).containsExactly(Map.entry("liblib64.so.1", "not found"), Map.entry("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"));
        SharedLibraries.Prediction p = predict(splitLibs(), true, KAIROS_HIERARCHIES);
        Map<String, Map<String, String>> listings = Map.of("/usr/bin/needs-lib64", listing,
                "/usr/bin/needs-usr-lib", Map.of("libusr.so.1", "not found"));
        assertThat(SharedLibraries.mismatches(p, listings)).containsExactly(
                "/usr/bin/needs-system-dir: the loader did not list libsys.so.1",
                "/usr/bin/needs-system-dir: the loader did not list libz.so.1",
                "/usr/bin/needs-usr-lib: libusr.so.1 predicted found at /usr/lib/x/libusr.so.1 (shipped by the extension, merged, in DT_RUNPATH),"
                        + " the loader says not found");
    }

    @Test
    void withoutANodeLintNamesTheLibrariesShippedOnlyOutsideTheHierarchies() {
        assertThat(SharedLibraries.strandedNeeds(splitLibs(), KAIROS_HIERARCHIES)).containsExactly("/usr/bin/needs-lib64 needs"
                + " liblib64.so.1, shipped only at /usr/lib64/liblib64.so.1, outside the flavor's hierarchies: it will not start"
                + " unless the host has liblib64.so.1 too");
    }
}
