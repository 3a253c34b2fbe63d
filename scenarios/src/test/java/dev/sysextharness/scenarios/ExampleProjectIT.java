package dev.sysextharness.scenarios;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.sysextharness.cli.Main;
import dev.sysextharness.host.Json;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's "Scenarios in your own project", done as an author would: the harness this test runs with is installed
 * into the local Maven repository, then {@code mvn -o verify} in scenarios/example-extension-project — a project of its
 * own that depends on it — compiles that project's scenario, runs it on a VM of the default flavor through
 * {@code run --scenarios}, and must end with exit 0 and its report's cell passed. Its scenarios must keep to the
 * public API, as this repository's do ({@link PublicApiIT}).
 */
@Tag("vm")
class ExampleProjectIT {
    static final Path REPO = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path EXAMPLE = REPO.resolve("scenarios/example-extension-project");
    static final Path LOGS = Path.of(System.getProperty("sysext.selftestDir", "target/selftest")).toAbsolutePath();
    static final String CELL = "HelloExampleScenarios.helloExampleWorksWhileMergedAndIsGoneAfterUnmerge";
    static final Duration DEADLINE = Duration.ofMinutes(20);

    @Test
    void theExampleProjectBuildsAgainstTheInstalledHarnessAndItsScenarioPasses() throws Exception {
        installTheHarnessThisTestRuns();
        dev.sysextharness.host.Trees.delete(EXAMPLE.resolve("target")); // a fresh build: its compile, its run, its report
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-o", "verify"));
        String cache = System.getProperty("sysext.cacheDir");
        if (cache != null && !cache.isBlank()) {
            mvn.add("-Dsysext.cacheDir=" + cache);
        }

        Instant start = Instant.now();
        Result verify = mvn(mvn, EXAMPLE, "example-verify.log");
        Duration took = Duration.between(start, Instant.now());
        System.err.printf("example project: %s in %s took %d s (exit %d)%n", String.join(" ", mvn), EXAMPLE, took.toSeconds(),
                verify.exit());

        assertThat(verify.exit()).as("exit of %s in %s; log %s:%n%s", mvn, EXAMPLE, verify.log(), verify.tail()).isZero();
        JsonNode summary = Json.mapper().readTree(EXAMPLE.resolve("target/sysext-reports/latest/summary.json").toFile());
        List<JsonNode> results = StreamSupport.stream(summary.path("results").spliterator(), false).toList();
        assertThat(results).as("cells of the example's report %s", summary).singleElement().satisfies(r -> {
            assertThat(r.path("scenario").asText()).isEqualTo(CELL);
            assertThat(r.path("flavor").asText()).isEqualTo("debian-12");
            assertThat(r.path("lane").asText()).isEqualTo("vm");
            assertThat(r.path("outcome").asText()).as("outcome; observed: %s", r.path("observed")).isEqualTo("passed");
        });
        classes().that().haveSimpleNameEndingWith("Scenarios")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe("are in the public API", PublicApiIT::isApi))
                .check(new ClassFileImporter().importPath(EXAMPLE.resolve("target/test-classes")));
    }

    /**
     * The harness jar this JVM runs (the reactor's, in the selftest) and its POMs, copied into ~/.m2 with install-file:
     * a nested {@code mvn install} would rebuild, under this very JVM, the jars it has open.
     */
    private static void installTheHarnessThisTestRuns() throws IOException, InterruptedException, URISyntaxException {
        Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(jar.toString()).as("the harness on this test's class path is a jar (run the integration-test phase)")
                .endsWith(".jar");
        if (!jar.startsWith(REPO)) {
            return; // not this checkout's build: it came from the local repository, where the example finds it too
        }
        String install = "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file";
        Path parentPom = REPO.resolve("pom.xml");
        Result parent = mvn(List.of("mvn", "-B", "-o", "-q", install, "-Dfile=" + parentPom, "-DpomFile=" + parentPom),
                LOGS, "example-install-parent.log");
        assertThat(parent.exit()).as("installing the parent POM; log %s:%n%s", parent.log(), parent.tail()).isZero();
        Result harness = mvn(List.of("mvn", "-B", "-o", "-q", install, "-Dfile=" + jar, "-DpomFile=" + REPO.resolve("harness/pom.xml")),
                LOGS, "example-install-harness.log");
        assertThat(harness.exit()).as("installing %s; log %s:%n%s", jar, harness.log(), harness.tail()).isZero();
    }

    record Result(int exit, Path log, String tail) {
    }

    /**
     * Runs Maven in {@code dir} within the deadline, in a PID namespace of its own that ends with this JVM, VMs
     * included; with its own /proc, so that the JVMs inside see their own process (the run's progress clock reads it).
     */
    private static Result mvn(List<String> command, Path dir, String logName) throws IOException, InterruptedException {
        Path log = Files.createDirectories(LOGS).resolve(logName);
        Process p = OwnedProcesses.startDaemonTree(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        boolean ended = p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            OwnedProcesses.end(p, 5000);
        }
        List<String> lines = Files.readAllLines(log);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        return new Result(ended ? p.exitValue() : -1, log, ended ? tail : "no exit within " + DEADLINE.toMinutes() + " min\n" + tail);
    }
}
