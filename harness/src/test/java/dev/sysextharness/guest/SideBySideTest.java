package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side-by-side command run by this host's own sh (dash on Debian, as on a reference node): each script's stdout,
 * stderr and exit come back apart and in order, and the scripts really run at the same time.
 */
class SideBySideTest {
    private static String sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("sh ended").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    @TempDir
    Path files;

    private List<SideBySide.Part> run(List<String> scripts) throws Exception {
        SideBySide run = new SideBySide(scripts, files.toString());
        return run.parts(sh(run.command()), "here");
    }

    @Test
    void eachScriptKeepsItsOwnOutputErrorsAndExitByteForByte() throws Exception {
        List<String> scripts = List.of("echo one; echo warn >&2", "printf 'no newline'; exit 3", "printf 'a\\n\\nb\\n'; printf e >&2; false",
                "# only a comment");
        assertThat(run(scripts)).containsExactly(new SideBySide.Part("one\n", "warn\n", 0), new SideBySide.Part("no newline", "", 3),
                new SideBySide.Part("a\n\nb\n", "e", 1), new SideBySide.Part("", "", 0));
        try (var left = Files.list(files)) {
            assertThat(left).as("the scripts' files after the command").isEmpty();
        }
    }

    @Test
    void aScriptPrintingAnotherCommandsMarkersCannotCutItsOwnParts() throws Exception {
        SideBySide earlier = new SideBySide(List.of("true", "true"), files.toString());
        String forged = "printf '%s\\n%s0 -----\\n' '" + earlier.outEnd() + "' '" + earlier.errEnd() + "'";
        assertThat(run(List.of(forged, "echo two"))).containsExactly(
                new SideBySide.Part(earlier.outEnd() + "\n" + earlier.errEnd() + "0 -----\n", "", 0), new SideBySide.Part("two\n", "", 0));
    }

    @Test
    void theScriptsRunAtTheSameTime() throws Exception {
        Path dir = files.resolve("flags");
        Files.createDirectories(dir);
        Path flag = dir.resolve("second-ran");
        // the first waits up to 10 s for a file only the second makes: one after the other, it would never see it
        String first = "i=0; while [ ! -e " + flag + " ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ -e " + flag + " ] && echo saw it";
        String second = "touch " + flag;
        List<SideBySide.Part> parts = run(List.of(first, second));
        assertThat(parts.get(0).stdout()).as("the first script, waiting for the second's file").isEqualTo("saw it\n");
        assertThat(Files.exists(flag)).isTrue();
    }

    @Test
    void aDirectoryItCannotWriteIsTheHarnesssErrorNotEmptyParts() {
        SideBySide run = new SideBySide(List.of("echo x", "echo y"), files.resolve("no-such-directory").toString());
        assertThatThrownBy(() -> run.parts(sh(run.command()), "here")).isInstanceOf(HarnessException.class)
                .hasMessageStartingWith("here: script 1 of 2 run side by side printed no end marker (is " + files.resolve("no-such-directory"));
    }

    @Test
    void aPartWithoutItsMarkersIsTheHarnesssErrorNamingWhere() {
        SideBySide run = new SideBySide(List.of("echo x", "echo y"), "/run");
        String one = "x\n" + run.outEnd() + "\n" + run.errEnd() + "0 -----\n";
        assertThatThrownBy(() -> run.parts(one + "half of the second", "debian-12 (vm)"))
                .isInstanceOf(HarnessException.class)
                .hasMessageStartingWith("debian-12 (vm): script 2 of 2 run side by side printed no end marker")
                .hasMessageContaining("half of the second");
    }
}
