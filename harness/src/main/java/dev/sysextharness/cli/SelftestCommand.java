package dev.sysextharness.cli;

import dev.sysextharness.host.Workspace;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The project's own test suite: {@code mvn verify} in the checkout, unit tests and VM-booting integration tests. */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Run the project's own test suite (mvn verify): unit tests, then integration tests that build",
                "the reference image and boot real VMs under QEMU. bin/sysext-harness installs the prerequisites first."})
final class SelftestCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Workspace ws = Workspace.locate(null);
        Process p = new ProcessBuilder(List.of("mvn", "-B", "verify")).directory(ws.root().toFile()).inheritIO().start();
        return p.waitFor() == 0 ? ExitCodes.OK : ExitCodes.SCENARIO_FAILED;
    }
}
