package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** list shows the cells a run would execute, from the same gate, without starting anything. */
@Tag("host")
class ListIT {
    private static String list(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as("exit code of list; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
        return run.out();
    }

    /** The cell lines of a listing: everything before the counts line. */
    private static java.util.List<String> cells(String listing) {
        return listing.lines().takeWhile(l -> !l.matches("\\d+ cells, .*")).toList();
    }

    @Test
    void theShardsOfASelectionListEachCellOnce() {
        String[] selection = {"list", "--scenario", "CompatibilityScenarios.*", "--flavor", "debian-12,debian-13", "--lane", "all",
                "--report-dir", "/nonexistent-reports"};
        java.util.List<String> whole = cells(list(selection));
        java.util.List<String> shards = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String[] args = java.util.Arrays.copyOf(selection, selection.length + 2);
            args[selection.length] = "--shard";
            args[selection.length + 1] = i + "/3";
            String listing = list(args);
            assertThat(listing).as("shard %d's summary line", i).containsPattern("shard " + i + "/3: \\d+ of the " + whole.size() + " selected cells");
            shards.addAll(cells(listing));
        }
        assertThat(shards).as("the three shards' cells").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(whole);
    }

    @Test
    void theCellsARunWouldExecuteWithTheirSkipReasons() {
        String text = list("list", "--scenario", "CompatibilityScenarios.mutable*", "--flavor", "debian-12,debian-13", "--lane", "all");
        assertThat(text.lines()).filteredOn(l -> l.contains("debian-12")).hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("skipped: ").contains("needs systemd >= 256"));
        assertThat(text.lines()).filteredOn(l -> l.contains("debian-13")).hasSize(4).allSatisfy(l -> assertThat(l).endsWith("judged"));
        assertThat(text).contains("8 cells, 4 judged, 4 skipped");
    }

    /** With --extension, each judged certification cell carries what the oracle predicts there, as lint gives it. */
    @Test
    @Tag("vm") // the prediction reads the flavor's os-release from its built image: build it (cached after the first time)
    void theOraclesVerdictOnEachCertificationCell(@TempDir Path tmp) throws Exception {
        assertThat(Main.execute("build", "--flavor", "debian-12")).as("build debian-12's image").isEqualTo(ExitCodes.OK);
        Path tree = Files.createDirectories(tmp.resolve("tree/usr/lib/extension-release.d"));
        Files.writeString(tree.resolve("extension-release.work"), "ID=_any\n");
        Path raw = tmp.resolve("work.sysext.raw");
        OwnedProcesses.run(List.of("mksquashfs", tmp.resolve("tree").toString(), raw.toString(), "-quiet", "-noappend"), 60);
        String hello = Path.of(System.getProperty("sysext.repoRoot", "..")).resolve("images/extensions/hello").toString();

        String merging = list("list", "--extension", hello, "--flavor", "debian-12");
        String failing = list("list", "--extension", raw.toString(), "--flavor", "debian-12");

        assertThat(merging.lines().filter(l -> l.startsWith("CertificationScenarios.") && l.contains(" judged")))
                .as("the runtime and the bundle cell of a directory extension, in:%n%s", merging).hasSize(2)
                .allSatisfy(l -> assertThat(l).endsWith("judged — oracle: merged on /usr/bin /usr/lib /usr/share; refresh exits 0"));
        assertThat(failing.lines().filter(l -> l.startsWith("CertificationScenarios.") && l.contains(" judged")))
                .as("the one .raw cell, in:%n%s", failing).singleElement().asString()
                .contains("judged — oracle: not merged: ", "'work.sysext'", "No medium found").endsWith("refresh exits 1");
    }
}
