package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.cli.Main;
import dev.sysextharness.host.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rerun-failed} selects exactly the cells that failed or erred in an earlier run's summary.json, on their
 * flavors and lanes, and --lane/--scenario narrow that; {@code list} shows the selection {@code run} would execute
 * (both take it from the same options), so nothing boots here.
 */
@Tag("host")
class RerunFailedIT {
    @TempDir
    Path tmp;

    record Cli(int exit, String out) {
    }

    private static Cli cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            return new Cli(Main.execute(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    /** A run's report directory whose summary.json holds these results: {scenario, flavor, lane, outcome}. */
    private Path runWith(String name, String[]... results) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        var root = Json.mapper().createObjectNode().put("run", name);
        var arr = root.putArray("results");
        for (String[] r : results) {
            arr.addObject().put("scenario", r[0]).put("flavor", r[1]).put("lane", r[2]).put("outcome", r[3])
                    .put("expected", "").put("observed", "").put("durationMs", 1).put("evidence", "evidence/x");
        }
        Files.writeString(dir.resolve("summary.json"), Json.mapper().writeValueAsString(root));
        return dir;
    }

    private Path runWithFailures() throws Exception {
        return runWith("failed-run",
                new String[] {"CompatibilityScenarios.idAnyMergesOnEveryHost", "debian-13", "vm", "failed"},
                new String[] {"CompatibilityScenarios.foreignIdIsIgnored", "debian-13", "container", "error"},
                new String[] {"CompatibilityScenarios.hostIdWithItsVersionIdMerges", "debian-13", "vm", "passed"},
                new String[] {"CompatibilityScenarios.idAnyMergesOnEveryHost", "debian-12", "vm", "passed"},
                new String[] {"CompatibilityScenarios.foreignIdIsIgnored", "debian-13", "vm", "skipped"});
    }

    private static List<String> listedCells(Cli cli) throws Exception {
        assertThat(cli.exit()).as("list's exit; output %s", cli.out()).isEqualTo(ExitCodes.OK);
        List<String> keys = new ArrayList<>();
        for (JsonNode c : Json.mapper().readTree(cli.out())) {
            keys.add(c.path("scenario").asText() + "@" + c.path("flavor").asText() + "/" + c.path("lane").asText());
        }
        return keys;
    }

    @Test
    void selectsExactlyTheFailedAndErroredCellsOnTheirFlavorsAndLanes() throws Exception {
        Path run = runWithFailures();
        assertThat(listedCells(cli("list", "--json", "--rerun-failed", run.toString())))
                .as("without --flavor or --lane: the failed cells' own flavor (debian-13, not the default) and lanes")
                .containsExactlyInAnyOrder("CompatibilityScenarios.idAnyMergesOnEveryHost@debian-13/vm",
                        "CompatibilityScenarios.foreignIdIsIgnored@debian-13/container");
    }

    @Test
    void laneAndScenarioNarrowTheFailedCells() throws Exception {
        Path run = runWithFailures();
        assertThat(listedCells(cli("list", "--json", "--rerun-failed", run.toString(), "--lane", "vm")))
                .containsExactly("CompatibilityScenarios.idAnyMergesOnEveryHost@debian-13/vm");
        assertThat(listedCells(cli("list", "--json", "--rerun-failed", run.toString(), "--scenario", "*foreign*")))
                .containsExactly("CompatibilityScenarios.foreignIdIsIgnored@debian-13/container");
    }

    @Test
    void aFlavorWithoutFailedCellsIsAUsageErrorAndWritesNothing() throws Exception {
        Path run = runWithFailures();
        Path reports = tmp.resolve("reports");
        Cli c = cli("run", "--rerun-failed", run.toString(), "--flavor", "debian-12", "--report-dir", reports.toString());
        assertThat(c.exit()).as("output %s", c.out()).isEqualTo(ExitCodes.USAGE);
        assertThat(reports).as("reports after a refused rerun").doesNotExist();
    }

    @Test
    void aRunWithoutFailuresHasNothingToRerunAndTheDefaultIsTheLatestRun() throws Exception {
        Path reports = tmp.resolve("reports");
        Path clean = runWith("clean-run", new String[] {"CompatibilityScenarios.idAnyMergesOnEveryHost", "debian-12", "vm", "passed"});
        Files.createDirectories(reports);
        Files.move(clean, reports.resolve("clean-run"));
        Files.createSymbolicLink(reports.resolve("latest"), Path.of("clean-run"));

        Cli c = cli("run", "--report-dir", reports.toString(), "--rerun-failed");
        assertThat(c.exit()).as("output %s", c.out()).isEqualTo(ExitCodes.OK);
        assertThat(c.out().strip()).as("the one line of a rerun with nothing to do")
                .isEqualTo("nothing to rerun: no cell failed or erred in " + reports.resolve("latest/summary.json"));
        try (Stream<Path> s = Files.list(reports)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("reports after nothing was rerun")
                    .containsExactlyInAnyOrder("clean-run", "latest");
        }
    }
}
