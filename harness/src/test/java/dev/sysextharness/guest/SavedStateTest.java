package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Machine;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.SavedState;
import dev.sysextharness.vm.SavedStates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore is only ever used on the exact disk it was saved with, and only a clean node is ever saved. */
@Tag("vm")
class SavedStateTest {
    static DefaultFlavorImage image;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    /** A private copy of the base disk (reflink/sparse), so this test may write it without touching the cache. */
    BootDisk privateDisk() {
        Path copy = dir.resolve("disk.img");
        OwnedProcesses.run(List.of("cp", "--sparse=always", "--reflink=auto", image.disk().disk().toString(), copy.toString()), 600);
        return new BootDisk(copy, image.disk().format(), image.disk().kernel(), image.disk().initrd(), image.disk().append());
    }

    @Test
    void aStateWhoseDiskWasWrittenAfterwardsIsNeverUsed() throws Exception {
        SavedStates states = new SavedStates(new ImageCache(dir.resolve("cache")));
        BootDisk disk = privateDisk();
        NodeLauncher launcher = new NodeLauncher(image.flavor(), disk).accelerator(image.accel()).savedStates(states);

        String bootId;
        try (Node first = launcher.evidenceDir(dir.resolve("first")).start()) {
            assertThat(first.startedBy()).isEqualTo("restore"); // cold boot, save, then restore from the new state
            bootId = first.ready().bootId();
            // the restored clock resumed at the save; the stepper left in the saved node set it to the host's time
            long guestSeconds = Long.parseLong(first.run("date +%s").out());
            assertThat(guestSeconds).as("the restored guest's clock against the host's")
                    .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.api.Assertions.within(5L));
            assertThat(Files.readString(first.transcript().file())).as("the step was the stepper's, not date's")
                    .contains("to the host's time by the clock stepper (pid ");
            assertThat(first.run("ps -eo comm").out().lines()).as("the stepper ends after its one step").doesNotContain("perl");
            // loaded into the cold node before the save (a boot of the default flavor loads loop, not erofs or squashfs)
            List<String> modules = image.flavor().machine().preloadModules();
            if (!modules.isEmpty()) { // every reference flavor has some; a Kairos flavor under test may have none
                assertThat(first.run("for m in " + String.join(" ", modules) + "; do [ -d /sys/module/$m ] || echo $m; done").out())
                        .as("preloadModules not loaded in the restored node").isEmpty();
                assertThat(Files.readString(first.transcript().file())).as("the restore's transcript names them")
                        .contains("# harness: loaded before the save (machine.preloadModules): " + String.join(" ", modules));
            }
        }
        String key = launcher.stateKey();
        assertThat(states.key(disk, launcher.commandLine(dir.resolve("x.qcow2"), 1), List.of())).as("the key without the modules")
                .isNotEqualTo(key);
        SavedState state = states.find(key, new StringBuilder());
        assertThat(state).as("state saved for the private disk").isNotNull();
        assertThat(state.bootId()).isEqualTo(bootId);

        // The frozen overlay written after the save: the state must be refused, with the reason.
        Files.write(state.frozenOverlay(), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        StringBuilder why = new StringBuilder();
        assertThat(states.find(key, why)).isNull();
        assertThat(why.toString()).contains("changed since the state was saved");

        // ... and a start falls back to a cold boot and saves a fresh state (a new boot_id proves it).
        try (Node second = launcher.evidenceDir(dir.resolve("second")).start()) {
            assertThat(second.ready().bootId()).isNotEqualTo(bootId);
        }
        assertThat(Files.exists(dir.resolve("second/cold-boot-before-save/serial.log"))).isTrue();

        // A memory image QEMU cannot load (truncated): the restore fails, the state is discarded with one line giving
        // the reason, and the node cold-boots and saves a fresh state instead of failing the cell.
        SavedState fresh = states.find(key, new StringBuilder());
        assertThat(fresh).isNotNull();
        Path vmstate = fresh.dir().resolve(SavedState.VMSTATE);
        try (var f = new java.io.RandomAccessFile(vmstate.toFile(), "rw")) {
            f.setLength(4096);
        }
        java.util.List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Node third = launcher.evidenceDir(dir.resolve("third")).progress(progress::add).start()) {
            assertThat(third.ready().systemState()).isIn("running", "degraded");
        }
        assertThat(progress).anyMatch(l -> l.startsWith(image.flavor().name() + ": restore failed: ")
                && l.endsWith("; cold boot, then save the ready state"));
        assertThat(dir.resolve("third/cold-boot-before-save/serial.log")).exists();

        // The base disk written after the save: the key itself changes, so the old state cannot even be found.
        Files.setLastModifiedTime(disk.disk(), FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(launcher.stateKey()).isNotEqualTo(key);
    }
    /**
     * A node whose kernel log shows badness before anything ran is not frozen into the state every later node starts
     * from. The badness is real kernel output: "BUG:" on the kernel command line, which the kernel prints at boot.
     */
    @Test
    void aColdBootThatAlreadyShowsBadnessIsNotSaved() throws Exception {
        SavedStates states = new SavedStates(new ImageCache(dir.resolve("cache")));
        BootDisk d = image.disk();
        BootDisk marked = new BootDisk(d.disk(), d.format(), d.kernel(), d.initrd(), d.append() + " sxh.test=BUG:");
        NodeLauncher launcher = new NodeLauncher(image.flavor(), marked).accelerator(image.accel()).savedStates(states)
                .evidenceDir(dir.resolve("bad"));
        Path before = dir.resolve("bad/cold-boot-before-save");

        assertThatThrownBy(launcher::start).isInstanceOf(HarnessException.class)
                .hasMessageStartingWith(image.flavor().name() + ": the cold-booted node already shows kernel: ")
                .hasMessageContaining("BUG:").hasMessageContaining("so it is not saved as the ready state; evidence: " + before);

        String key = launcher.stateKey();
        StringBuilder why = new StringBuilder();
        assertThat(states.find(key, why)).as("a state for the node that showed badness").isNull();
        assertThat(why.toString()).isEqualTo("no saved state yet");
        assertThat(Files.readString(before.resolve("transcript.txt"))).contains("# harness: not saved as the ready state");
    }

    /** A module the flavor file asks for that the node's kernel does not have: one line naming the field, nothing saved. */
    @Test
    void aPreloadModuleTheKernelLacksIsNamedAndNothingIsSaved() throws Exception {
        SavedStates states = new SavedStates(new ImageCache(dir.resolve("cache")));
        Flavor f = image.flavor();
        Flavor lacking = f.withMachine(new Machine(f.machine().memoryMiB(), f.machine().cpus(), List.of("loop", "sxh_no_such_module")));
        NodeLauncher launcher = new NodeLauncher(lacking, image.disk()).accelerator(image.accel()).savedStates(states)
                .evidenceDir(dir.resolve("lacking"));

        assertThatThrownBy(launcher::start).isInstanceOf(HarnessException.class)
                .hasMessageStartingWith(f.name() + ": machine.preloadModules in vm-configs/" + f.name() + ".yaml failed: ")
                .hasMessageContaining("' exited 1: ").hasMessageContaining("sxh_no_such_module")
                .hasMessageEndingWith("; evidence: " + dir.resolve("lacking/cold-boot-before-save/transcript.txt"))
                .message().doesNotContain("\n");
        String key = launcher.stateKey();
        StringBuilder why = new StringBuilder();
        assertThat(states.find(key, why)).as("a state for the node whose modules did not load").isNull();
        assertThat(why.toString()).isEqualTo("no saved state yet");
    }
}
