package dev.sysextharness.cli;

import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.scenario.RunConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The project's own test suite: {@code mvn verify} in the checkout, unit tests and VM-booting integration tests. The
 * options reach every test JVM Maven forks as {@code -D} system properties, which the tests and the scenario runs in
 * them read through {@link RunConfiguration}.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Run the project's own test suite (mvn verify): unit tests, then integration tests that build",
                "the reference image and boot real VMs under QEMU. bin/sysext-harness installs the prerequisites first.",
                "Arguments after -- go to Maven as they are (e.g. -- -Dit.test=NodeLifecycleTest)."})
final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--flavor", split = ",", paramLabel = "NAME[,NAME...]",
            description = "Flavors the VM tests run on (default: debian-12 for the suite, debian-12 and debian-13 for lane agreement).")
    List<String> flavorNames;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryOption registryOption;

    @Parameters(paramLabel = "MAVEN_ARG", description = "Passed to Maven after the harness's own arguments.")
    List<String> mavenArguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> argv = mavenCommand();
        // owned: if this JVM is killed, Maven dies with it, and its forked test JVMs (and their VMs) follow
        Process p = OwnedProcesses.start(new ProcessBuilder(argv).directory(configuration().workspace().root().toFile()).inheritIO());
        return p.waitFor() == 0 ? ExitCodes.OK : ExitCodes.SCENARIO_FAILED;
    }

    RunConfiguration configuration() {
        return common.configuration(flavorNames, registryOption);
    }

    /** {@code mvn -B verify}, the run's configuration as system properties, then the user's Maven arguments. */
    List<String> mavenCommand() {
        RunConfiguration config = configuration();
        List<String> argv = new ArrayList<>(List.of("mvn", "-B", "-f", config.workspace().root().resolve("pom.xml").toString(), "verify"));
        // the suite's own defaults stand unless --flavor was given
        config.systemPropertyArguments().stream()
                .filter(a -> flavorNames != null || !a.startsWith("-D" + RunConfiguration.FLAVORS + "="))
                .forEach(argv::add);
        argv.addAll(mavenArguments);
        return argv;
    }
}
