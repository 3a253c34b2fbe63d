package dev.sysextharness.guest;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Timeouts;
import dev.sysextharness.host.HarnessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots the real default reference node under the harness: readiness, the transcript, and the end of QEMU. */
@Tag("vm")
class NodeLifecycleTest {
    static DefaultFlavorImage image;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    @Test
    void bootsToReadyRecordsCommandsAndEndsQemuOnClose() throws Exception {
        long pid;
        try (Node node = new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel()).evidenceDir(dir).start()) {
            pid = node.vm().pid();
            assertThat(node.ready().systemState()).as("systemd state, failed units %s", node.ready().failedUnits())
                    .isIn("running", "degraded");
            assertThat(node.ready().bootId()).matches("[0-9a-f-]{36}");
            assertThat(node.ready().readyAfter()).isGreaterThanOrEqualTo(node.ready().sshAfter());
            assertThat(node.ready().reachedBy()).as("a cold-booted reference node is checked ready over its channel's root shell")
                    .isEqualTo("channel");
            // ready without an SSH login, yet SSH answers at once: the boot it waited for includes sshd's start
            try (SshSession ssh = SshSession.open(node.vm().sshPort(), image.flavor().login(), Duration.ofSeconds(30))) {
                assertThat(ssh.exec("cat /proc/sys/kernel/random/boot_id", Duration.ofSeconds(30)).out())
                        .as("the boot_id over SSH just after the node was ready").isEqualTo(node.ready().bootId());
            }

            CommandResult r = node.run("echo out; echo err >&2; exit 7");
            assertThat(r.exitCode()).isEqualTo(7);
            assertThat(r.stdout()).isEqualTo("out\n");
            assertThat(r.stderr()).isEqualTo("err\n");
            assertThatCommand(node.sudo("id -u")).succeeds().printsLine("0");
            assertThatThrownBy(() -> node.run("sleep 30", Duration.ofSeconds(2)))
                    .as("a command that does not complete is the cell's error, never 'the command failed'")
                    .isInstanceOf(HarnessException.class)
                    .hasMessageStartingWith(image.flavor().name() + ": 'sleep 30' did not complete: ");
            assertThatCommand(node.run("echo after")).as("the next command gets a fresh shell").succeeds().printsLine("after");
            assertThat(node.run("systemctl --version | head -1").out()).startsWith("systemd " + image.flavor().systemdVersion());

            // the sysext service's budget: Kairos's 5 s job and 10 s start on real CPUs; under TCG the flavor's
            // command budget, from the kernel argument through the image's generator, with no drop-in written at run time
            boolean tcg = node.accelerator() == dev.sysextharness.vm.Accelerator.TCG;
            long budget = tcg ? image.flavor().timeouts().command().toSeconds() : 10;
            String show = node.run("systemctl show systemd-sysext.service -p TimeoutStartUSec -p JobRunningTimeoutUSec").out();
            assertThat(show.lines().map(l -> l.substring(0, l.indexOf('=') + 1) + Timespans.seconds(l.substring(l.indexOf('=') + 1))))
                    .as("systemd-sysext.service's budgets under %s: %s", node.accelerator(), show)
                    .containsExactlyInAnyOrder("TimeoutStartUSec=" + budget, "JobRunningTimeoutUSec=" + (tcg ? budget : 5));
            assertThatCommand(node.run("test -e " + Node.TCG_TIMEOUTS_DROP_IN)).as("a run-time drop-in on a reference node").fails();
            assertThat(Files.readString(dir.resolve("command-line.txt")).contains(Node.TCG_TIMEOUTS_ARGUMENT + "=" + budget))
                    .as("the kernel argument under %s", node.accelerator()).isEqualTo(tcg);
            // under TCG nothing patches sched_clock_cpu() while the other vCPU runs it (NodeLauncher.TSC_UNSTABLE)
            String console = Files.readString(dir.resolve("serial.log"));
            assertThat(console.contains("Marking TSC unstable due to boot parameter"))
                    .as("the kernel's word that it took %s, under %s", NodeLauncher.TSC_UNSTABLE, node.accelerator()).isEqualTo(tcg);
            if (tcg) { // under KVM that depends on the host's clock: kvm-clock may or may not be stable
                assertThat(console).as("the TCG guest's console").doesNotContain("sched_clock: Marking stable");
            }
            // under TCG a program's libraries land where they did at its last start (NodeLauncher.NORANDMAPS)
            assertThat(node.run("cat /proc/sys/kernel/randomize_va_space").out().strip())
                    .as("user-space address randomisation under %s (0: off, 2: full)", node.accelerator()).isEqualTo(tcg ? "0" : "2");
            // under TCG the KDF's boot self-test is skipped and no CPU crypto driver is loaded (NodeLauncher.NO_CPU_CRYPTO_MODULES)
            assertThat(node.run("cat /proc/cmdline").out().contains(NodeLauncher.SKIP_KDF108_SELF_TEST))
                    .as("the kernel's own command line under %s", node.accelerator()).isEqualTo(tcg);
            if (tcg) { // under KVM whether udev loads it depends on the host CPU
                assertThatCommand(node.run("test -e /sys/module/aesni_intel")).as("the AES-NI module under TCG").fails();
            }

            assertThat(Files.readString(dir.resolve("transcript.txt"))).contains("$ echo out; echo err >&2; exit 7", "# exit 7",
                    "stderr| err");
            assertThat(console).as("serial log from the first byte").contains("Linux version");
            assertThat(Files.readString(dir.resolve("command-line.txt"))).contains("restrict=on", "hostfwd=tcp:127.0.0.1:");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("QEMU %d after close", pid).isFalse();
    }

    @Test
    void aMissedDeadlineFailsWithTheSerialLogTail() {
        Flavor impatient = image.flavor().withTimeouts(new Timeouts(4, 4, 4));
        Instant start = Instant.now();
        assertThatThrownBy(() -> new NodeLauncher(impatient, image.disk()).accelerator(image.accel()).evidenceDir(dir).start())
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining("not ready within")
                .hasMessageContaining("last 40 lines of " + dir.resolve("serial.log"));
        assertThat(Duration.between(start, Instant.now())).as("fails at its deadline, not later").isLessThan(Duration.ofSeconds(30));
    }
}
