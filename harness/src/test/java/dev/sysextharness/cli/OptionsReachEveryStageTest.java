package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.vm.AcceleratorChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --accel}, {@code --cache-dir}, {@code --flavor} and {@code --registry} reach every stage of every command that
 * takes them: the JUnit run of {@code run}, each scenario stage of {@code bench}, the test JVMs of {@code selftest}
 * (as -D properties Maven passes on, read back as the scenario runs read them), and the configuration {@code boot} and
 * {@code build} start from.
 */
class OptionsReachEveryStageTest {
    static final String[] OPTIONS = {"--accel", "tcg", "--cache-dir", "/tmp/elsewhere", "--registry", "container",
            "--registry-port", "5123"};
    static final Map<String, String> EXPECTED = Map.of(RunConfiguration.ACCEL, "tcg", RunConfiguration.CACHE_DIR, "/tmp/elsewhere",
            RunConfiguration.REGISTRY, "container", RunConfiguration.REGISTRY_PORT, "5123");

    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static String[] with(String... more) {
        String[] all = new String[OPTIONS.length + more.length];
        System.arraycopy(OPTIONS, 0, all, 0, OPTIONS.length);
        System.arraycopy(more, 0, all, OPTIONS.length, more.length);
        return all;
    }

    private static Flavor flavor(String name) {
        return Workspace.locate(null).flavors().load(name);
    }

    @Test
    void run() {
        RunCommand cmd = parse(new RunCommand(), with("--flavor", "debian-13,debian-sid"));
        RunConfiguration config = cmd.configuration();
        Map<String, String> params = cmd.scenarioRun(config, List.of(flavor("debian-13"), flavor("debian-sid"))).parameters();

        assertThat(params).containsAllEntriesOf(EXPECTED).containsEntry(RunConfiguration.FLAVORS, "debian-13,debian-sid");
        assertThat(RunConfiguration.from(k -> Optional.ofNullable(params.get(k))))
                .as("what the scenario session reads back").isEqualTo(config);
    }

    @Test
    void aResumedSoakSelectsWhatItsFirstSittingDidUnlessToldOtherwise() {
        SoakCommand first = parse(new SoakCommand(), "--flavor", "debian-13", "--scenario", "*Layout*");
        List<String> recorded = first.selection.arguments();
        assertThat(recorded).containsExactly("--flavor", "debian-13", "--lane", "vm", "--scenario", "*Layout*");

        SoakCommand resumed = parse(new SoakCommand(), "--resume", "/tmp/soak-x", "--lane", "all");
        resumed.selection.adoptUnlessGiven(recorded);
        assertThat(resumed.selection.arguments()).as("--lane given again wins; the rest as recorded")
                .containsExactly("--flavor", "debian-13", "--lane", "all", "--scenario", "*Layout*");
    }

    @Test
    void benchStages() {
        BenchCommand cmd = parse(new BenchCommand(), with("--flavor", "debian-13"));
        Map<String, String> params = BenchCommand.stage(cmd.configuration(), List.of(flavor("debian-13")), "ExtensionScenarios.*", false, 1)
                .parameters();

        assertThat(params).containsAllEntriesOf(EXPECTED).containsEntry(RunConfiguration.FLAVORS, "debian-13");
    }

    @Test
    void selftestTestJvms() {
        SelftestCommand cmd = parse(new SelftestCommand(), with("--flavor", "debian-13", "--", "-Dit.test=NodeLifecycleTest"));
        List<String> argv = cmd.mavenCommand();

        assertThat(argv).startsWith("mvn", "-B", "-f").contains("verify")
                .contains("-Dsysext.accel=tcg", "-Dsysext.cacheDir=/tmp/elsewhere", "-Dsysext.registry=container",
                        "-Dsysext.registryPort=5123", "-Dsysext.flavors=debian-13")
                .endsWith("-Dit.test=NodeLifecycleTest");
        assertThat(parse(new SelftestCommand()).mavenCommand()).as("without --flavor the suite keeps its own flavors")
                .noneMatch(a -> a.startsWith("-Dsysext.flavors="));
    }

    @Test
    void bootAndBuild() {
        BootCommand boot = parse(new BootCommand(), "--accel", "tcg", "--cache-dir", "/tmp/elsewhere", "--flavor", "debian-13");
        assertThat(boot.configuration().accel()).isEqualTo(AcceleratorChoice.Request.TCG);
        assertThat(boot.configuration().workspace().cache().root()).isEqualTo(Path.of("/tmp/elsewhere"));
        assertThat(boot.configuration().flavors()).containsExactly("debian-13");

        BuildCommand build = parse(new BuildCommand(), "--cache-dir", "/tmp/elsewhere", "--flavor", "debian-13,debian-sid");
        assertThat(build.configuration().workspace().cache().root()).isEqualTo(Path.of("/tmp/elsewhere"));
        assertThat(build.configuration().flavors()).containsExactly("debian-13", "debian-sid");
    }
}
