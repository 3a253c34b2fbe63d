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
        Path script = dir.resolve("fake-qemu");
        Files.writeString(script, """
                #!/bin/sh
                for a; do case $a in file,id=serial0,path=*) p=${a#file,id=serial0,path=}; p=${p%%,append=on};; esac; done
                n=$(ls "$p".argv.* 2>/dev/null | wc -l)
                echo "$@" > "$p.argv.$n"
                [ "$n" -gt 0 ] && exec sleep 60
                printf '%%s\\n' '%s' >> "$p"
                exit 0
                """.formatted(firstWords));
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
}
