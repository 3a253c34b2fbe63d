package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.guest.DefaultFlavorImage;
import dev.sysextharness.host.OwnedProcesses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lint judges an extension per flavor without booting anything, from the oracle and the image's own os-release. */
@Tag("vm")
class LintTest {
    static DefaultFlavorImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build(); // lint reads the built image's os-release; it never builds one itself
    }

    record Outcome(int exit, String out) {
    }

    private Outcome lint(String extension) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit = Main.execute("lint", "--extension", extension, "--flavor", image.flavor().name(), "--json",
                    tmp.resolve("lint.json").toString());
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void aCatalogueExtensionMergesAndItsOptFilesAreATrap() throws Exception {
        Instant start = Instant.now();
        Outcome o = lint(Path.of(System.getProperty("sysext.repoRoot", "..")).resolve("images/extensions/hello").toString());

        assertThat(o.exit()).as(o.out()).isEqualTo(ExitCodes.OK);
        assertThat(o.out()).contains(image.flavor().name() + " (systemd " + image.flavor().systemdVersion())
                .contains("merged on /usr/bin /usr/lib /usr/share", "why:     ID=_any matches every host",
                        "trap:    1 file(s) outside the flavor's hierarchies, never visible there: [opt/hello/data.txt]");
        assertThat(tmp.resolve("lint.json")).content().contains("\"merged\" : true");
        assertThat(Duration.between(start, Instant.now())).as("no VM, no container").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aKairosNamedRawIsPredictedToFailTheRefreshAndExits1() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/usr/lib/extension-release.d"));
        Files.writeString(tree.resolve("extension-release.work"), "ID=_any\n");
        Path raw = tmp.resolve("work.sysext.raw");
        OwnedProcesses.run(List.of("mksquashfs", tmp.resolve("tree").toString(), raw.toString(), "-quiet", "-noappend"), 60);

        Outcome o = lint(raw.toString());

        assertThat(o.exit()).as(o.out()).isEqualTo(ExitCodes.SCENARIO_FAILED);
        assertThat(o.out()).contains("NOT merged", "every other extension on the node is not merged either");
    }
}
