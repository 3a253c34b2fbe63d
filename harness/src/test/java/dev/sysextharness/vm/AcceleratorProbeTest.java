package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AcceleratorProbeTest {
    final AcceleratorProbe probe = new AcceleratorProbe("qemu-system-x86_64");

    @Test
    void probeGuestRunsToItsExitUnderTcg() {
        // The probe is only meaningful if its guest really exits when the accelerator works.
        assertThat(probe.works(Accelerator.TCG)).isNull();
    }

    @Test
    void autoFallsBackToTcgWhenKvmDoesNotRunTheProbe() {
        AcceleratorProbe.Choice choice = probe.choose("auto");
        if (probe.works(Accelerator.KVM) == null) {
            assertThat(choice.accelerator()).isEqualTo(Accelerator.KVM);
        } else {
            assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
            assertThat(choice.reason()).isNotBlank();
        }
    }

    @Test
    void overridesAreTakenAsGiven() {
        assertThat(probe.choose("tcg").accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(probe.choose("kvm").accelerator()).isEqualTo(Accelerator.KVM);
        assertThatThrownBy(() -> probe.choose("hvf")).hasMessageContaining("expected auto, kvm or tcg");
    }

    @Test
    void firmwareHasTheExitSequenceAtTheResetVector() {
        byte[] rom = AcceleratorProbe.firmware();
        assertThat(rom).hasSize(65536);
        assertThat(rom[65536 - 16]).isEqualTo((byte) 0xB0);
    }
}
