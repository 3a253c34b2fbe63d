package dev.sysextharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.api.FirmwareDb;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.Workspace;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** Gating from data alone: a scenario's families and capability rows against the flavor files. */
class CellGateTest {
    static final Flavor DEBIAN_12 = Workspace.locate(null).flavors().load("debian-12");
    static final Flavor DEBIAN_13 = Workspace.locate(null).flavors().load("debian-13");
    static final Flavor KAIROS_UBUNTU = Workspace.locate(null).flavors().load("kairos-ubuntu-24.04");

    static class Cells {
        @Scenario
        void everywhere() {
        }

        @Scenario(families = Family.KAIROS)
        void kairosOnly() {
        }

        @Scenario(requires = Capability.MUTABLE)
        void mutable() {
        }

        @Scenario
        @FirmwareDb("trusted")
        void underFirmware() {
        }
    }

    static Method cell(String name) throws NoSuchMethodException {
        return Cells.class.getDeclaredMethod(name);
    }

    @Test
    void aKairosOnlyScenarioIsSkippedOnAReferenceFlavorWithTheReason() throws Exception {
        assertThat(CellGate.skipReason(cell("kairosOnly"), DEBIAN_12, null)).isEqualTo("needs a kairos flavor; debian-12 is reference,"
                + " built here from Debian packages: no kairos-agent, no immucore");
        assertThat(CellGate.skipReason(cell("kairosOnly"), KAIROS_UBUNTU, null)).isNull();
    }

    @Test
    void byDefaultAScenarioRunsOnEveryFamily() throws Exception {
        assertThat(CellGate.skipReason(cell("everywhere"), DEBIAN_12, null)).isNull();
        assertThat(CellGate.skipReason(cell("everywhere"), KAIROS_UBUNTU, null)).isNull();
    }

    @Test
    void aCapabilityRowGatesByTheDeclaredSystemdVersion() throws Exception {
        assertThat(CellGate.skipReason(cell("mutable"), DEBIAN_12, null)).startsWith("--mutable=");
        assertThat(CellGate.skipReason(cell("mutable"), DEBIAN_13, null)).isNull();
    }

    @Test
    void aScenarioBootingUnderFirmwareNeedsAReferenceFlavorThatSaysWhatItsKernelTakes() throws Exception {
        assertThat(CellGate.skipReason(cell("underFirmware"), DEBIAN_12, null)).as("debian-12 says: false").isNull();
        assertThat(CellGate.skipReason(cell("underFirmware"), DEBIAN_13, null)).as("debian-13 says: true").isNull();
        assertThat(CellGate.skipReason(cell("underFirmware"), KAIROS_UBUNTU, null))
                .startsWith("boots under UEFI firmware with the harness's certificate in db, which only a reference flavor's");
        Flavor unmeasured = Workspace.locate(null).flavors().load("debian-13");
        unmeasured = new Flavor(unmeasured.name(), unmeasured.family(), unmeasured.description(), unmeasured.image(),
                unmeasured.systemdVersion(), unmeasured.login(), new dev.sysextharness.flavor.SysextConfig(unmeasured.sysext().hierarchies(),
                unmeasured.sysext().optMerged(), unmeasured.sysext().imagePolicy(), unmeasured.sysext().optIn(),
                unmeasured.sysext().variants(), null), unmeasured.runtimeUnpack(), unmeasured.machine(), unmeasured.timeouts());
        assertThat(CellGate.skipReason(cell("underFirmware"), unmeasured, null))
                .isEqualTo("vm-configs/debian-13.yaml does not say whether its kernel takes the firmware's db for verity signatures"
                        + " (sysext.kernelTrustsFirmwareDb), so nothing can be predicted");
    }
}
