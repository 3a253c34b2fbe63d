package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.sysext.KairosExtensionLinks.State;
import org.junit.jupiter.api.Test;

/** Golden command lines of kairos-agent sysext (v2.26.0's main.go flags), as the scenarios run them on a Kairos node. */
class KairosAgentCommandTest {
    @Test
    void install() {
        assertThat(KairosAgent.installCommand("file:///var/tmp/x.raw")).isEqualTo("kairos-agent sysext install 'file:///var/tmp/x.raw'");
        assertThat(KairosAgent.installCommand("oci:10.0.2.100:5000/x-ddi:1"))
                .isEqualTo("kairos-agent sysext install 'oci:10.0.2.100:5000/x-ddi:1'");
        assertThatThrownBy(() -> KairosAgent.installCommand("/var/tmp/x.raw")).hasMessageContaining("file:, oci: or http(s):");
    }

    @Test
    void enableAndDisablePerState() {
        assertThat(KairosAgent.enableCommand(State.ACTIVE, "x.raw", true)).isEqualTo("kairos-agent sysext enable --active --now '^x\\.raw$'");
        assertThat(KairosAgent.enableCommand(State.COMMON, "x.raw", false)).isEqualTo("kairos-agent sysext enable --common '^x\\.raw$'");
        assertThat(KairosAgent.enableCommand(State.PASSIVE, "x.raw", false)).isEqualTo("kairos-agent sysext enable --passive '^x\\.raw$'");
        assertThat(KairosAgent.disableCommand(State.RECOVERY, "x.raw", true))
                .isEqualTo("kairos-agent sysext disable --recovery --now '^x\\.raw$'");
    }

    @Test
    void removeAndList() {
        assertThat(KairosAgent.removeCommand("x.sysext.raw", false)).isEqualTo("kairos-agent sysext remove '^x\\.sysext\\.raw$'");
        assertThat(KairosAgent.removeCommand("x.raw", true)).isEqualTo("kairos-agent sysext remove --now '^x\\.raw$'");
        assertThat(KairosAgent.listCommand(null)).isEqualTo("kairos-agent sysext list");
        assertThat(KairosAgent.listCommand(State.COMMON)).isEqualTo("kairos-agent sysext list --common");
    }

    /** The agent matches NAME as a regular expression, first match wins: the harness's is anchored and escaped. */
    @Test
    void namesAreExactRegularExpressions() {
        assertThat(KairosAgent.exactly("tools_1.2+b.raw")).isEqualTo("'^tools_1\\.2\\+b\\.raw$'");
        assertThatThrownBy(() -> KairosAgent.exactly("a/b.raw")).hasMessageContaining("not an image file name");
    }
}
