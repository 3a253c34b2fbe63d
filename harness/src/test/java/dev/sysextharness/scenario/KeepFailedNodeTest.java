package dev.sysextharness.scenario;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.KeepRunning;
import dev.sysextharness.guest.Node;
import dev.sysextharness.guest.SshSession;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.report.Outcome;
import dev.sysextharness.report.RunReport;
import dev.sysextharness.scenario.fixture.KeepFixtureScenarios;
import dev.sysextharness.vm.KeptDisk;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --keep} and {@code boot --from} on a real node: a cell that fails on purpose (after writing a marker to
 * COS_PERSISTENT) keeps its node, which answers a fresh SSH login while the run waits; releasing the wait stops it;
 * its evidence records the kept disk; and the command line's {@code boot --from} boots that disk, marker included,
 * and stops it when Enter is pressed.
 */
@Tag("vm")
class KeepFailedNodeTest {
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    @Test
    void aFailedCellKeepsItsNodeAndBootFromBootsItsDiskAgain() throws Exception {
        long started = System.nanoTime();
        RunConfiguration config = RunConfiguration.fromSystemProperties();
        Flavor flavor = config.workspace().flavors().load(config.flavors().get(0));
        ScenarioRun run = new ScenarioRun(List.of(flavor)).configuration(config).fromPackage("dev.sysextharness.scenario.fixture")
                .keep(true);
        RunReport report = run.execute("keep", tmp.resolve("report"));

        assertThat(report.results()).as("the fixture's one cell").singleElement()
                .satisfies(r -> assertThat(r.outcome()).as("outcome, observed: %s", r.observed()).isEqualTo(Outcome.FAILED));
        KeptNode kept = run.kept().orElseThrow(() -> new AssertionError("no node kept after a failed cell"));
        assertThat(kept.cell()).isEqualTo("KeepFixtureScenarios.failsAfterLeavingAMarker@" + flavor.name() + "/vm");
        Node node = kept.node().orElseThrow();

        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return KeepRunning.until(node, release, System.out);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (SshSession login = SshSession.open(node.vm().sshPort(), flavor.login(), Duration.ofSeconds(60))) {
            CommandResult marker = login.exec("cat " + KeepFixtureScenarios.MARKER, Duration.ofSeconds(60));
            assertThat(marker.stdout()).as("the marker, read over a fresh SSH login to the kept node").isEqualTo("kept-by-the-fixture\n");
        }
        assertThat(waiting).as("the wait while nobody released it").isNotDone();
        release.complete(null);
        assertThat(waiting.get(60, TimeUnit.SECONDS)).isEqualTo("released; the node is stopped");
        assertThat(node.vm().isAlive()).as("QEMU of the kept node after the release").isFalse();
        double keptAfter = (System.nanoTime() - started) / 1e9;

        Path evidence = kept.evidenceDir();
        assertThat(evidence).as("the kept node's evidence directory").hasToString(report.results().get(0).evidence());
        KeptDisk disk = KeptDisk.read(evidence);
        assertThat(disk.overlay()).isEqualTo(evidence.resolve("overlay.qcow2").toAbsolutePath());
        assertThat(disk.backingChain()).as("the kept overlay's backing files, down to the cached base disk").isNotEmpty()
                .allSatisfy(p -> assertThat(p).isRegularFile().startsWith(config.workspace().cache().root()));
        assertThat(disk.flavor()).isEqualTo(flavor.name());

        long fromStarted = System.nanoTime();
        List<String> cli = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.sysextharness.cli.Main", "boot", "--from", evidence.toString(),
                "--evidence-dir", tmp.resolve("from").toString(), "--accel", config.accel().label()));
        if (config.cacheDir() != null) {
            cli.addAll(List.of("--cache-dir", config.cacheDir().toString()));
        }
        Process boot = OwnedProcesses.start(new ProcessBuilder(cli).redirectErrorStream(true));
        List<String> output = new ArrayList<>();
        CompletableFuture<Integer> sshPort = CompletableFuture.supplyAsync(() -> {
            Pattern ssh = Pattern.compile("^ssh .* -p (\\d+) .*");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(boot.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = ssh.matcher(line);
                    if (m.matches()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("boot --from ended without an ssh line");
        });
        try {
            int port = sshPort.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            try (SshSession login = SshSession.open(port, flavor.login(), Duration.ofSeconds(60))) {
                assertThatCommand(login.exec("cat " + KeepFixtureScenarios.MARKER, Duration.ofSeconds(60)))
                        .as("the marker on the node booted from the kept disk").succeeds().printsLine("kept-by-the-fixture");
            }
            double fromReady = (System.nanoTime() - fromStarted) / 1e9;
            try (Writer enter = new java.io.OutputStreamWriter(boot.getOutputStream(), StandardCharsets.UTF_8)) {
                enter.write("\n");
            }
            assertThat(boot.waitFor(60, TimeUnit.SECONDS)).as("boot --from ends after Enter; output %s", output).isTrue();
            assertThat(boot.exitValue()).as("exit of boot --from; output %s", output).isZero();
            System.out.printf("measured: run --keep to released %.1f s; boot --from to SSH %.1f s%n", keptAfter, fromReady);
        } finally {
            boot.destroyForcibly();
        }
        assertThat(Files.exists(evidence.resolve("overlay.qcow2"))).as("the kept overlay after boot --from (it is a base now)").isTrue();
    }
}
