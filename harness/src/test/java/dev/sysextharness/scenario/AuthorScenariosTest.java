package dev.sysextharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.api.Scenario;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.report.PlannedCell;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --scenarios DIR|JAR}: an author's scenario classes, compiled here into a package of their own, are found in
 * a directory or a jar outside the harness's class path, without the built-in ones, and only their @Scenario methods.
 */
class AuthorScenariosTest {
    static final String SOURCE = """
            package org.example.probe;

            import dev.sysextharness.api.Scenario;
            import dev.sysextharness.guest.Guest;
            import org.junit.jupiter.api.Test;

            class ProbeScenarios {
                @Scenario
                void probeMerges(Guest guest) {
                }

                @Test
                void anOrdinaryTestBesideIt() {
                }
            }
            """;

    @TempDir
    static Path tmp;
    static Path classes;
    static Flavor debian12;

    @BeforeAll
    static void compile() throws IOException, URISyntaxException {
        Path src = Files.createDirectories(tmp.resolve("src/org/example/probe")).resolve("ProbeScenarios.java");
        Files.writeString(src, SOURCE);
        classes = Files.createDirectories(tmp.resolve("classes"));
        String classPath = String.join(java.io.File.pathSeparator, codeSource(Scenario.class), codeSource(TestTemplate.class),
                codeSource(org.apiguardian.api.API.class));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-proc:none", "-cp", classPath, "-d", classes.toString(), src.toString());
        assertThat(rc).as("javac of the probe scenario").isZero();
        debian12 = Workspace.locate(null).flavors().load("debian-12");
    }

    private static String codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static List<String> keys(List<PlannedCell> cells) {
        return cells.stream().map(PlannedCell::key).toList();
    }

    @Test
    void aDirectoryOfCompiledClassesGivesItsScenariosOnly() {
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        List<PlannedCell> cells = new ScenarioRun(List.of(debian12)).scenariosFrom(classes).plan();

        assertThat(keys(cells)).as("cells of the author's classes (not the built-in scenarios, not their plain @Test)")
                .containsExactly("ProbeScenarios.probeMerges@debian-12/vm");
        assertThat(Thread.currentThread().getContextClassLoader()).as("context class loader after planning").isSameAs(before);
    }

    @Test
    void aJarGivesTheSame() throws IOException {
        Path jar = tmp.resolve("probe.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }

        assertThat(keys(new ScenarioRun(List.of(debian12)).scenariosFrom(jar).plan()))
                .containsExactly("ProbeScenarios.probeMerges@debian-12/vm");
    }

    @Test
    void withAnExtensionTheAuthorsScenariosStillAllRun() {
        Path hello = Workspace.locate(null).extensionsDir().resolve("hello");

        List<PlannedCell> cells = new ScenarioRun(List.of(debian12)).scenariosFrom(classes).extension(hello).plan();

        assertThat(keys(cells)).as("only the built-in package is narrowed to its certification scenarios")
                .containsExactly("ProbeScenarios.probeMerges@debian-12/vm");
    }

    @Test
    void aDirectoryWithoutScenariosIsAUsageError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        assertThatThrownBy(() -> new ScenarioRun(List.of(debian12)).scenariosFrom(empty).plan())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--scenarios " + empty + ": no @Scenario method there for the lanes [vm] (give the directory of your"
                        + " compiled scenario classes, or their jar)");
    }

    @Test
    void aPathThatDoesNotExistIsAUsageError() {
        Path missing = tmp.resolve("no-such-classes");

        assertThatThrownBy(() -> new ScenarioRun(List.of(debian12)).scenariosFrom(missing))
                .isInstanceOf(ConfigException.class).hasMessage("--scenarios " + missing + ": no such directory or jar");
    }
}
