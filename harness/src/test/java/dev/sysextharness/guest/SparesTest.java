package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.scenario.RunConfiguration;
import dev.sysextharness.vm.SavedStates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore made ahead ({@link Spares}) is the saved boot, in the directory of the node that took it, and a machine
 * like any other afterwards: its command line names that directory, and a guest reboot powers it on again there.
 * What nobody took ends with the pool.
 */
@Tag("vm")
class SparesTest {
    static DefaultFlavorImage image;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    @Test
    void aRestoreMadeAheadIsTheSavedBootInItsTakersDirectoryAndRebootsThere() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1,
                "a spare is checked ahead only where one node at a time leaves a host core over");
        // the run's own saved states: the default flavor's state is there once any run or test has restored it
        SavedStates states = new SavedStates(RunConfiguration.fromSystemProperties().workspace().cache());
        try (Spares spares = new Spares(1)) {
            String savedBoot;
            try (Node first = launcher(states, spares).evidenceDir(dir.resolve("first")).start()) {
                savedBoot = first.ready().bootId();
                assertThat(Files.readString(first.transcript().file())).as("the first restore, nothing made ahead yet")
                        .contains("(restore made on request: none made ahead)");
            }
            spares.awaitMade();
            assertThat(staged()).as("the spare made after the first restore, beside its directory").hasSize(1);
            assertThat(spareQemus()).as("its QEMU, paused").hasSize(1);

            Path second = dir.resolve("second");
            try (Node node = launcher(states, spares).evidenceDir(second).start()) {
                String transcript = Files.readString(node.transcript().file());
                assertThat(transcript).as("the second node's transcript")
                        .contains("# harness: restore made ahead (QEMU started ").doesNotContain("restore made on request");
                assertThat(transcript.indexOf("; its readiness checked now, then paused until a cell takes it"))
                        .as("the spare's own lines, its check ahead, come first").isNotNegative()
                        .isLessThan(transcript.indexOf("# harness: paused again (QMP stop) after its readiness check"))
                        .isLessThan(transcript.indexOf("# harness: restore made ahead (QEMU started "));
                List<String> steps = transcript.lines().filter(l -> l.startsWith("# harness: guest clock stepped by ")).toList();
                assertThat(steps).as("the clock stepped ahead and again at the take, both times by the stepper left in the state")
                        .hasSize(2).allMatch(l -> l.contains(" by the clock stepper (pid "));
                String stepper = steps.get(1).replaceAll(".*\\(pid ([0-9]+)\\).*", "$1");
                // it answers before it exits: ended within a few seconds, a zombie counting as ended
                String ended = "[ -e /proc/" + stepper + " ] && ! grep -q '^State:.*Z' /proc/" + stepper + "/status && echo running || echo ended";
                org.awaitility.Awaitility.await("the clock stepper (pid " + stepper + ") ending after the take's step, its last")
                        .atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(200))
                        .until(() -> node.run(ended).out().strip().equals("ended"));
                assertThat(node.ready().bootId()).as("the saved boot").isEqualTo(savedBoot);
                assertThat(node.run("cat /proc/sys/kernel/random/boot_id").out()).isEqualTo(savedBoot);
                String commandLine = Files.readString(second.resolve("command-line.txt"));
                assertThat(commandLine).as("command-line.txt of the moved QEMU").contains(second.toAbsolutePath() + "/overlay.qcow2")
                        .doesNotContain(".spare-");
                assertThat(second.resolve("overlay.qcow2")).as("the node's disk, moved with it").isRegularFile();
                assertThat(node.vm().serialLog()).isEqualTo(second.toAbsolutePath().resolve("serial.log"));

                // powered on again from the rewritten command line: the disk and serial log in the new directory
                BootIdProof proof = node.reboot();
                assertThat(proof.after()).as("boot_id after the reboot").isNotEqualTo(savedBoot);
                assertThat(node.run("cat /proc/sys/kernel/random/boot_id").out()).isEqualTo(proof.after());
            }
            spares.awaitMade();
            assertThat(staged()).as("the next spare, made after the second restore").hasSize(1);
        }
        assertThat(staged()).as("spare directories after the pool closed").isEmpty();
        assertThat(spareQemus()).as("spare QEMUs after the pool closed").isEmpty();
    }

    /** As many nodes at once as host cores (two jobs on two cores): no core is left over for a check ahead. */
    @Test
    void withNoHostCoreLeftOverASpareIsNotCheckedAheadAndItsTakerChecksIt() throws Exception {
        SavedStates states = new SavedStates(RunConfiguration.fromSystemProperties().workspace().cache());
        int cores = Runtime.getRuntime().availableProcessors();
        try (Spares spares = new Spares(1)) {
            try (Node first = launcher(states, spares).nodesAtOnce(cores).evidenceDir(dir.resolve("first")).start()) {
                assertThat(first.ready().systemState()).isIn("running", "degraded");
            }
            spares.awaitMade();
            try (Node node = launcher(states, spares).nodesAtOnce(cores).evidenceDir(dir.resolve("second")).start()) {
                String transcript = Files.readString(node.transcript().file());
                assertThat(transcript).as("the second node's transcript").contains("# harness: restore made ahead (QEMU started ")
                        .contains("paused with the state loaded").doesNotContain("its readiness checked now");
                assertThat(transcript.lines().filter(l -> l.startsWith("# harness: guest clock stepped by ")))
                        .as("one clock step, the take's, by the stepper").singleElement().asString().contains(" by the clock stepper (pid ");
            }
        }
    }

    private NodeLauncher launcher(SavedStates states, Spares spares) {
        return new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel()).savedStates(states).spares(spares);
    }

    private List<Path> staged() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".spare-")).toList();
        }
    }

    /** QEMU processes whose disk is in one of this test's spare directories. */
    private List<ProcessHandle> spareQemus() {
        String prefix = dir.toAbsolutePath() + "/.spare-";
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(prefix)).orElse(false))
                .toList();
    }
}
