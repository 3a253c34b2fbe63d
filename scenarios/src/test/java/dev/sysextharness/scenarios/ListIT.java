package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** list shows the cells a run would execute, from the same gate, without starting anything. */
@Tag("host")
class ListIT {
    @Test
    void theCellsARunWouldExecuteWithTheirSkipReasons() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = Main.execute("list", "--scenario", "CompatibilityScenarios.mutable*", "--flavor", "debian-12,debian-13",
                    "--lane", "all");
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isEqualTo(ExitCodes.OK);
        assertThat(text.lines()).filteredOn(l -> l.contains("debian-12")).hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("skipped: ").contains("needs systemd >= 256"));
        assertThat(text.lines()).filteredOn(l -> l.contains("debian-13")).hasSize(4).allSatisfy(l -> assertThat(l).endsWith("judged"));
        assertThat(text).contains("8 cells, 4 judged, 4 skipped");
    }
}
