package dev.sysextharness.report;

import dev.sysextharness.host.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.guest.Lane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cell is a scenario on a flavor in a lane: summary.json says which lane, the matrix has a column per lane. */
class LaneColumnsTest {
    @TempDir
    Path dir;

    @Test
    void theSameScenarioOnTheSameFlavorInTwoLanesIsTwoCells() throws Exception {
        Path repo = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath();
        var flavor = new Flavors(repo.resolve("vm-configs")).load("debian-12");
        RunReport report = new RunReport("r1", dir.resolve("r1"), List.of(flavor));
        report.add(new ScenarioResult("debian-12", "vm", "C.s", Outcome.PASSED, "e", "as expected", 10, dir.toString(), 0, "restore"));
        report.add(new ScenarioResult("debian-12", "container", "C.s", Outcome.FAILED, "e", "merged", 5, dir.toString(), 0, "container"));

        report.write();

        assertThat(report.lanes()).containsExactly("vm", "container");
        assertThat(report.cell("C.s", "debian-12", "container")).get().extracting(ScenarioResult::outcome).isEqualTo(Outcome.FAILED);
        JsonNode summary = Json.mapper().readTree(Files.readString(dir.resolve("r1/summary.json")));
        assertThat(summary.get("results")).extracting(r -> r.get("lane").asText()).containsExactly("vm", "container");
        String html = Files.readString(dir.resolve("r1/index.html"));
        assertThat(html).contains("debian-12 · vm", "debian-12 · container");
    }

    @Test
    void laneListsParseAndUnknownLanesAreNamed() {
        assertThat(Lane.parseAll("all")).containsExactly(Lane.VM, Lane.CONTAINER);
        assertThat(Lane.parseAll("container")).containsExactly(Lane.CONTAINER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Lane.parseAll("vm,bare-metal"))
                .hasMessage("unknown lane 'bare-metal': expected vm, container or all");
    }
}
