package dev.sysextharness.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sysextharness.vm.Overlay;
import dev.sysextharness.vm.QemuCommandLine;
import dev.sysextharness.vm.Vm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QEMU started by a harness JVM must not outlive it, even when that JVM is SIGKILLed. */
@Tag("vm")
class OrphanTest {
    @TempDir
    Path dir;

    /** The child JVM: starts a VM (firmware finds nothing to boot and idles), prints its PID, then waits forever. */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("tree")) {
            // a process tree like an image build: the shell prints the PID of a grandchild, then waits on it
            Process p = OwnedProcesses.startTree(new ProcessBuilder("sh", "-c", "sleep 1000 & echo GRANDCHILD_PID $!; wait")
                    .redirectErrorStream(true));
            p.getInputStream().transferTo(System.out);
            return;
        }
        Path d = Path.of(args[0]);
        OwnedProcesses.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", d.resolve("empty.qcow2").toString(), "64M"), 30);
        Path overlay = Overlay.create(d.resolve("empty.qcow2"), "qcow2", d.resolve("overlay.qcow2"));
        int port = FreePorts.next();
        Vm vm = Vm.start(new QemuCommandLine().disk(overlay).sshHostPort(port).memoryMiB(256).cpus(1), d.resolve("vm"), port);
        System.out.println("QEMU_PID " + vm.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // parked until the test kills this JVM
    }

    /** Starts this class's main in a child JVM and reads the PID it reports after {@code marker}. */
    static long childReports(Process child, String marker) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()));
        String line;
        do {
            line = r.readLine();
        } while (line != null && !line.startsWith(marker));
        assertThat(line).as("child JVM reported %s", marker).isNotNull();
        return Long.parseLong(line.substring(marker.length()).strip());
    }

    Process childJvm(String arg) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OrphanTest.class.getName(), arg)
                .redirectErrorStream(true).start();
    }

    @Test
    void aProcessTreeDiesWithASigkilledHarness() throws IOException {
        Process child = childJvm("tree");
        long grandchild = childReports(child, "GRANDCHILD_PID ");
        // the namespace's view of the PID is not the host's: find the host PID by the sleeper's parent chain instead.
        // The shell prints $! as soon as it has forked, so the child may still be a shell about to exec sleep.
        await("the tree's sleeper runs (namespace pid " + grandchild + ")").atMost(Duration.ofSeconds(15))
                .until(() -> ProcessHandle.current().descendants().anyMatch(p -> p.info().command().orElse("").endsWith("sleep")));
        List<ProcessHandle> sleepers = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("sleep")).toList();

        child.toHandle().destroyForcibly();
        await("the process tree ends after its harness JVM was killed").atMost(Duration.ofSeconds(15))
                .until(() -> sleepers.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void qemuDiesWithASigkilledHarness() throws IOException {
        Process child = childJvm(dir.toString());
        long qemuPid = childReports(child, "QEMU_PID ");
        Optional<ProcessHandle> qemu = ProcessHandle.of(qemuPid);
        assertThat(qemu).as("QEMU %d running under the child JVM", qemuPid).isPresent();
        // the PID is setpriv's until it execs QEMU, which a loaded machine may not have done yet
        await("QEMU " + qemuPid + " execs qemu-system").atMost(Duration.ofSeconds(15))
                .until(() -> ProcessHandle.of(qemuPid).flatMap(p -> p.info().command()).orElse("").contains("qemu-system"));

        child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
        await("QEMU " + qemuPid + " ends after its harness JVM was killed")
                .atMost(Duration.ofSeconds(15))
                .until(() -> ProcessHandle.of(qemuPid).map(p -> !p.isAlive()).orElse(true));
    }
}
