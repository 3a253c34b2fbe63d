package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asking for a Kairos flavor whose ISO cannot be had stops before anything is built or booted, with one line and
 * the documented exit code. Only loopback is ever contacted: the ISO URL points at a closed port on 127.0.0.1. (In
 * the scenarios module: {@code run} plans its cells from the scenario classes before it looks for an ISO.)
 */
@Tag("host")
class KairosFailFastIT {
    @TempDir
    Path cache;

    record Outcome(int exit, String err, Duration took) {
    }

    private Outcome run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Instant start = Instant.now();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.execute(args);
            return new Outcome(exit, err.toString(StandardCharsets.UTF_8), Duration.between(start, Instant.now()));
        } finally {
            System.setErr(saved);
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableIsoIsOneLineAndExitThreeWithinSeconds() throws Exception {
        String url = "http://127.0.0.1:" + closedPort() + "/kairos-ubuntu-24.04.iso";
        Outcome o = run("run", "--flavor", "kairos-ubuntu-24.04", "--iso-url", url, "--sha256", "c".repeat(64),
                "--cache-dir", cache.toString(), "--report-dir", cache.resolve("reports").toString());

        assertThat(o.exit()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(o.err().strip()).startsWith("error: cannot reach " + url).contains("--iso PATH").doesNotContain("\n");
        assertThat(o.took()).isLessThan(Duration.ofSeconds(15));
        assertThat(cache.resolve("reports")).doesNotExist();
    }

    @Test
    void aMissingLocalIsoIsAUsageError() {
        Outcome o = run("run", "--flavor", "kairos-fedora-40", "--iso", "/nonexistent/kairos.iso", "--cache-dir", cache.toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err().strip()).isEqualTo("error: --iso /nonexistent/kairos.iso: no such file");
    }

    @Test
    void isoOptionsOnAReferenceFlavorAreRefused() {
        Outcome o = run("run", "--flavor", "debian-12", "--iso", "/tmp/x.iso", "--cache-dir", cache.toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err().strip()).isEqualTo("error: --iso, --iso-url and --sha256 apply to kairos flavors; none of [debian-12] is one");
    }
}
