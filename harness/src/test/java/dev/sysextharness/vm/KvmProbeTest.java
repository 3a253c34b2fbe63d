package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.guest.DefaultFlavorImage;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KVM probe boots the flavor's real kernel with the probe initramfs exactly as a node under KVM starts, and its
 * verdict is remembered per host. Stand-in QEMUs play the three kinds of host: KVM that works, KVM that makes QEMU
 * abort, KVM that hangs the guest. A stand-in "device" file keeps their verdicts apart from the real host's.
 */
@Tag("vm")
class KvmProbeTest {
    static DefaultFlavorImage image;

    @TempDir
    Path tmp;

    final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    private KvmProbe probe(StandInQemu host) throws IOException {
        return new KvmProbe(host.writeTo(tmp).toString(), tmp.resolve("verdicts"), Files.createFile(tmp.resolve("kvm")));
    }

    private Supplier<Path> kernel() {
        return () -> image.disk().kernel();
    }

    @Test
    void aKernelThatPrintsItsMarkerUnderKvmMakesKvmUsable() throws IOException {
        // the stand-in "KVM" is TCG: on a busy host its boot to the marker can take longer than a real KVM's deadline
        KvmProbe.Verdict v = new KvmProbe(StandInQemu.KVM_WORKS.writeTo(tmp).toString(), tmp.resolve("verdicts"),
                Files.createFile(tmp.resolve("kvm")), Duration.ofSeconds(120)).verdict(kernel(), progress::add);

        assertThat(v.usable()).as("verdict %s", v).isTrue();
        assertThat(v.reason()).contains("printed its marker under KVM").contains(image.disk().kernel().toString());
        assertThat(v.cached()).isFalse();
        assertThat(progress).anyMatch(l -> l.startsWith("accelerator: probing KVM on this host"));
    }

    @Test
    void qemuAbortingUnderKvmIsNamedWithItsStatusAndMessage() throws IOException {
        KvmProbe.Verdict v = probe(StandInQemu.KVM_ABORTS).verdict(kernel(), progress::add);

        assertThat(v.usable()).isFalse();
        assertThat(v.reason()).isEqualTo("QEMU exited at start under KVM (status 134): "
                + "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69");
    }

    @Test
    void aSilentGuestUnderKvmIsAHangAtTheDeadline() throws IOException {
        long start = System.nanoTime();
        KvmProbe.Verdict v = probe(StandInQemu.KVM_HANGS).verdict(kernel(), progress::add);

        assertThat(v.usable()).isFalse();
        assertThat(v.reason()).contains("printed nothing under KVM within " + KvmProbe.DEADLINE.toSeconds() + " s");
        assertThat((System.nanoTime() - start) / 1e9).as("seconds spent").isLessThan(KvmProbe.DEADLINE.toSeconds() + 10);
    }

    @Test
    void theVerdictIsRememberedPerHostAndTheKernelNotAskedForAgain() throws IOException {
        KvmProbe probe = probe(StandInQemu.KVM_ABORTS);
        KvmProbe.Verdict first = probe.verdict(kernel(), progress::add);

        KvmProbe.Verdict again = probe.verdict(() -> {
            throw new AssertionError("a remembered verdict must not boot the probe again");
        }, progress::add);

        assertThat(again.cached()).isTrue();
        assertThat(again.usable()).isEqualTo(first.usable());
        assertThat(again.reason()).isEqualTo(first.reason());
        Path file = probe.verdictFile(probe.hostIdentity());
        assertThat(file).content().contains("\"usable\" : false", probe.hostIdentity().replace("\"", "\\\""));
        assertThat(probe.hostIdentity()).as("what the verdict depends on")
                .contains("kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), "QEMU emulator version",
                        tmp.resolve("kvm").toString(), "-cpu host");
    }

    @Test
    void anUnreadableVerdictIsProbedAgainAndReplaced() throws IOException {
        KvmProbe probe = probe(StandInQemu.KVM_ABORTS);
        Path file = probe.verdictFile(probe.hostIdentity());
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{ half a verd");

        KvmProbe.Verdict v = probe.verdict(kernel(), progress::add);

        assertThat(v.cached()).isFalse();
        assertThat(progress).anyMatch(l -> l.startsWith("accelerator: ignoring the unreadable verdict " + file));
        assertThat(file).content().contains("\"usable\" : false");
    }

    @Test
    void autoWithoutAKvmDeviceIsTcgWithoutBootingAnything() {
        KvmProbe probe = new KvmProbe(StandInQemu.KVM_WORKS.name(), tmp.resolve("verdicts"), tmp.resolve("no-such-kvm"));
        AcceleratorChoice choice = new AcceleratorChoice(AcceleratorChoice.Request.AUTO, probe, () -> {
            throw new AssertionError("no device: nothing to probe");
        }, Progress.silent());

        assertThat(choice.current()).isEqualTo(Accelerator.TCG);
        assertThat(choice.reason()).isEqualTo(tmp.resolve("no-such-kvm") + " does not exist");
    }
}
