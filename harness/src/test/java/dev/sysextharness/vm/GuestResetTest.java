package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vm#powerOnAfterGuestReset with a stand-in for QEMU (a shell script): what counts as a guest reboot, and what the
 * second process is started with.
 */
class GuestResetTest {
    @TempDir
    Path dir;

    /** First run: writes {@code firstWords} to the serial log and exits 0; later runs stay alive. Every run's argv is kept. */
    private Path fakeQemu(String firstWords) throws IOException {
        return fakeQemu(firstWords, true, "");
    }

    /**
     * First run: writes {@code firstWords} to the serial log, then exits 0 if {@code firstExits}, else stays alive;
     * later runs write {@code laterWords} and stay alive. Every run's argv is kept.
     */
    private Path fakeQemu(String firstWords, boolean firstExits, String laterWords) throws IOException {
        Path script = dir.resolve("fake-qemu");
        Files.writeString(script, """
                #!/bin/sh
                for a; do case $a in file,id=serial0,path=*) p=${a#file,id=serial0,path=}; p=${p%%,append=on};; esac; done
                n=$(ls "$p".argv.* 2>/dev/null | wc -l)
                echo "$@" > "$p.argv.$n"
                if [ "$n" -gt 0 ]; then printf '%%s\\n' '%s' >> "$p"; exec sleep 60; fi
                printf '%%s\\n' '%s' >> "$p"
                %s
                """.formatted(laterWords, firstWords, firstExits ? "exit 0" : "exec sleep 60"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private QemuCommandLine commandLine(Path binary) {
        return new QemuCommandLine().binary(binary.toString()).disk(dir.resolve("overlay.qcow2")).sshHostPort(2222)
                .incoming("exec:cat /state").noReboot(true);
    }

    @Test
    void aGuestResetPowersTheSameMachineOnWithoutTheIncomingState() throws Exception {
        Path vmDir = dir.resolve("vm");
        try (Vm vm = Vm.start(commandLine(fakeQemu("[   59.09] reboot: Restarting system")), vmDir, 2222)) {
            long first = vm.pid();
            vm.powerOnAfterGuestReset(Duration.ofSeconds(20), 0);
            assertThat(vm.isAlive()).isTrue();
            assertThat(vm.pid()).isNotEqualTo(first);
            Path argv = vmDir.resolve("serial.log.argv.1");
            Awaitility.await("the second process's argv").atMost(Duration.ofSeconds(20)).until(() -> Files.exists(argv) && Files.size(argv) > 0);
            String again = Files.readString(argv);
            assertThat(again).contains("-no-reboot", "overlay.qcow2", "hostfwd=tcp:127.0.0.1:2222-:22").doesNotContain("-incoming");
            assertThat(Files.readString(vmDir.resolve("serial.log"))).contains("reboot: Restarting system");
        }
    }

    @Test
    void aQemuThatEndsWithoutTheGuestRestartingIsNotAReboot() throws Exception {
        try (Vm vm = Vm.start(commandLine(fakeQemu("[   59.09] reboot: Power down")), dir.resolve("vm"), 2222)) {
            assertThatThrownBy(() -> vm.powerOnAfterGuestReset(Duration.ofSeconds(20), 0))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("never said 'reboot: Restarting system'")
                    .hasMessageContaining("reboot: Power down");
        }
    }

    @Test
    void aRestartMessageFromBeforeTheRequestDoesNotCount() throws Exception {
        try (Vm vm = Vm.start(commandLine(fakeQemu("[   59.09] reboot: Restarting system")), dir.resolve("vm"), 2222)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !vm.isAlive());
            assertThatThrownBy(() -> vm.powerOnAfterGuestReset(Duration.ofSeconds(20), vm.serialSize()))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("never said 'reboot: Restarting system'");
        }
    }

    @Test
    void onlyAVmStartedWithNoRebootCanBePoweredOnAgain() throws Exception {
        try (Vm vm = Vm.start(commandLine(fakeQemu("x")).noReboot(false), dir.resolve("vm"), 2222)) {
            assertThatThrownBy(() -> vm.powerOnAfterGuestReset(Duration.ofSeconds(5), 0))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    private static final String PANIC = "[    1.21] Kernel panic - not syncing: Fatal exception in interrupt";

    @Test
    void aKernelThatPanicsInsteadOfResettingFailsAtOnceNamingThePanic() throws Exception {
        try (Vm vm = Vm.start(commandLine(fakeQemu(PANIC, false, "")), dir.resolve("vm"), 2222)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> vm.powerOnAfterGuestReset(Duration.ofSeconds(60), 0))
                    .isInstanceOf(HarnessException.class)
                    .hasMessageContaining("panicked instead of resetting after the reboot request: Kernel panic - not syncing: Fatal"
                            + " exception in interrupt");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failed without waiting out the reset deadline")
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(vm.isAlive()).as("QEMU itself still runs: only the console tells").isTrue();
            assertThat(vm.guestAnswers()).isFalse();
        }
    }

    @Test
    void aBootAfterTheResetThatPanicsCannotAnswer() throws Exception {
        try (Vm vm = Vm.start(commandLine(fakeQemu("[   59.09] reboot: Restarting system", true, PANIC)), dir.resolve("vm"), 2222)) {
            vm.powerOnAfterGuestReset(Duration.ofSeconds(20), 0);
            Awaitility.await("the second boot's panic").atMost(Duration.ofSeconds(20)).until(() -> vm.kernelDeath().isPresent());
            assertThat(vm.kernelDeath()).contains("Kernel panic - not syncing: Fatal exception in interrupt");
            assertThat(vm.guestAnswers()).as("a panicked guest with QEMU alive").isFalse();
        }
    }
}
