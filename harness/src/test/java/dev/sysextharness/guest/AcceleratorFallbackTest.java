package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.KvmProbe;
import dev.sysextharness.vm.StandInQemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens when a node does not start under KVM although the host's verdict said it would: with {@code auto} the
 * run switches to TCG once, says so in one line, remembers it, and the node becomes ready; with {@code kvm} requested
 * the start fails, leading with the flavor and the cause. The stand-in QEMU fails only under KVM. And whatever this
 * host's own verdict is, a node started with it is ready.
 */
@Tag("vm")
class AcceleratorFallbackTest {
    static DefaultFlavorImage image;

    @TempDir
    Path tmp;

    final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    /** auto, with a remembered verdict that KVM works: the probe itself is not what is tested here. */
    private AcceleratorChoice autoTrustingKvm(String qemu) throws IOException {
        KvmProbe probe = new KvmProbe(qemu, tmp.resolve("verdicts"), Files.createFile(tmp.resolve("kvm")));
        probe.remember(true, "seeded by the test");
        return new AcceleratorChoice(AcceleratorChoice.Request.AUTO, probe, () -> {
            throw new AssertionError("the verdict is remembered");
        }, progress::add);
    }

    private NodeLauncher launcher(String qemu, AcceleratorChoice choice, String dir) {
        return new NodeLauncher(image.flavor(), image.disk()).qemuBinary(qemu).accelerator(choice).evidenceDir(tmp.resolve(dir))
                .progress(progress::add);
    }

    @Test
    void aNodeThatAbortsUnderKvmIsStartedAgainUnderTcgAndTheRunStaysThere() throws IOException {
        String qemu = StandInQemu.KVM_ABORTS.writeTo(tmp).toString();
        AcceleratorChoice choice = autoTrustingKvm(qemu);
        assertThat(choice.current()).isEqualTo(Accelerator.KVM);

        try (Node node = launcher(qemu, choice, "node").start()) {
            assertThat(node.accelerator()).isEqualTo(Accelerator.TCG);
            assertThat(node.ready().systemState()).isIn("running", "degraded");
        }
        String cause = "QEMU exited at start under KVM (status 134): qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69";
        assertThat(progress).filteredOn(l -> l.contains("retried under TCG"))
                .containsExactly(image.flavor().name() + ": " + cause + " — retried under TCG, which the rest of this run uses");
        assertThat(choice.current()).isEqualTo(Accelerator.TCG);
        assertThat(choice.reason()).isEqualTo("a node did not start under KVM: " + cause);
        assertThat(tmp.resolve("node/kvm-start-failed/qemu.log")).content().contains("failed to set MSR 0x10a");
        assertThat(tmp.resolve("node/command-line.txt")).content().contains("-accel tcg");
        assertThat(Files.list(tmp.resolve("verdicts")).toList()).singleElement()
                .satisfies(f -> assertThat(f).content().contains("\"usable\" : false", "a node did not start under KVM"));

        try (Node second = launcher(qemu, choice, "second").start()) {
            assertThat(second.accelerator()).as("the run stays on TCG").isEqualTo(Accelerator.TCG);
        }
        assertThat(progress).filteredOn(l -> l.contains("retried under TCG")).as("said once").hasSize(1);
        assertThat(tmp.resolve("second/kvm-start-failed")).doesNotExist();
    }

    @Test
    void aNodeThatHangsUnderKvmIsStartedAgainUnderTcg() throws IOException {
        String qemu = StandInQemu.KVM_HANGS.writeTo(tmp).toString();
        try (Node node = launcher(qemu, autoTrustingKvm(qemu), "node").start()) {
            assertThat(node.accelerator()).isEqualTo(Accelerator.TCG);
        }
        assertThat(progress).anyMatch(l -> l.equals(image.flavor().name()
                + ": no output on the serial console within 15 s under KVM (the guest hangs) — retried under TCG, which the rest"
                + " of this run uses"));
    }

    @Test
    void requestedKvmFailsLoudlyWithTheFlavorAndTheCauseFirst() throws IOException {
        String qemu = StandInQemu.KVM_ABORTS.writeTo(tmp).toString();
        assertThatThrownBy(() -> launcher(qemu, AcceleratorChoice.fixed(Accelerator.KVM), "node").start())
                .isInstanceOf(HarnessException.class)
                .hasMessage(image.flavor().name() + ": QEMU exited at start under KVM (status 134): qemu-system-x86_64: error: "
                        + "failed to set MSR 0x10a to 0x69 — use --accel tcg (or auto, which falls back to TCG); evidence: "
                        + tmp.resolve("node"));
        assertThat(progress).noneMatch(l -> l.contains("retried under TCG"));
    }

    @Test
    void thisHostsOwnVerdictStartsNodesThatAreReady() {
        try (Node node = new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel()).evidenceDir(tmp.resolve("own"))
                .start()) {
            assertThat(node.ready().systemState()).isIn("running", "degraded");
            assertThat(node.accelerator()).as("started with the choice (%s)", image.accel().reason())
                    .isEqualTo(image.accel().current());
        }
    }
}
