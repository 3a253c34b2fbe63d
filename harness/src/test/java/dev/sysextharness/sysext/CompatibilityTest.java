package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.flavor.SystemdVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
    static final Map<String, String> BOOKWORM = Map.of("ID", "debian", "VERSION_ID", "12", "ID_LIKE", "");
    static final Map<String, String> SID = Map.of("ID", "debian");
    static final Map<String, String> UBUNTU = Map.of("ID", "ubuntu", "ID_LIKE", "debian", "VERSION_ID", "24.04");

    static Compatibility.Verdict judge(int v, Map<String, String> host, String release) {
        return Compatibility.judge(v, host, release == null ? null : Compatibility.parseRelease(release));
    }

    @Test
    void idAnyNeeds252() {
        assertThat(judge(252, BOOKWORM, "ID=_any").merged()).isTrue();
        assertThat(judge(249, UBUNTU, "ID=_any").merged()).isFalse();
        assertThat(judge(249, UBUNTU, "ID=_any").because()).contains("needs systemd >= 252");
    }

    @Test
    void idAndVersionId() {
        assertThat(judge(252, BOOKWORM, "ID=debian\nVERSION_ID=12").merged()).isTrue();
        assertThat(judge(252, BOOKWORM, "ID=debian\nVERSION_ID=\"12\"").merged()).isTrue();
        assertThat(judge(252, BOOKWORM, "ID=debian\nVERSION_ID=11").merged()).isFalse();
        assertThat(judge(252, BOOKWORM, "ID=debian").merged()).as("host has VERSION_ID, extension none").isFalse();
        assertThat(judge(252, BOOKWORM, "ID=fedora\nVERSION_ID=12").merged()).isFalse();
    }

    @Test
    void aRollingHostNeedsOnlyTheId() {
        assertThat(judge(259, SID, "ID=debian\nVERSION_ID=0.0.1").merged()).isTrue();
        assertThat(judge(259, SID, "ID=fedora").merged()).isFalse();
    }

    @Test
    void sysextLevelWinsWhenBothSidesHaveIt() {
        Map<String, String> host = Map.of("ID", "debian", "VERSION_ID", "12", "SYSEXT_LEVEL", "1.0");
        assertThat(judge(252, host, "ID=debian\nSYSEXT_LEVEL=1.0\nVERSION_ID=99").merged()).isTrue();
        assertThat(judge(252, host, "ID=debian\nSYSEXT_LEVEL=2.0\nVERSION_ID=12").merged()).isFalse();
        assertThat(judge(252, host, "ID=debian\nVERSION_ID=12").merged()).as("only the host has a level").isTrue();
    }

    /**
     * A host with SYSEXT_LEVEL and no VERSION_ID, an extension without SYSEXT_LEVEL: no version check applies. Measured
     * on 252.39, 254.26, 257.13 and 262.1 (the catalogue's hostLevelWithoutVersionIdSkipsTheVersionCheck runs it on each).
     */
    @Test
    void aHostLevelWithoutVersionIdLetsAnExtensionWithoutLevelThrough() {
        Map<String, String> host = Map.of("ID", "debian", "SYSEXT_LEVEL", "1.0");
        for (int v : new int[] {252, 254, 257, 262}) {
            assertThat(judge(v, host, "ID=debian").merged()).as("systemd %d, no level and no version", v).isTrue();
            assertThat(judge(v, host, "ID=debian\nVERSION_ID=99").merged()).as("systemd %d, a version of its own", v).isTrue();
            assertThat(judge(v, host, "ID=debian\nSYSEXT_LEVEL=2.0").merged()).as("systemd %d, another level", v).isFalse();
        }
        assertThat(judge(252, host, "ID=debian").because()).contains("no version check applies");
    }

    @Test
    void architectureAndScope() {
        assertThat(judge(252, BOOKWORM, "ID=_any\nARCHITECTURE=x86-64").merged()).isTrue();
        assertThat(judge(252, BOOKWORM, "ID=_any\nARCHITECTURE=arm64").merged()).isFalse();
        assertThat(judge(249, UBUNTU, "ID=ubuntu\nVERSION_ID=24.04\nARCHITECTURE=arm64").merged())
                .as("ARCHITECTURE unknown before 252").isTrue();
        assertThat(judge(252, BOOKWORM, "ID=_any\nSYSEXT_SCOPE=portable").merged()).isFalse();
        assertThat(judge(252, BOOKWORM, "ID=_any\nSYSEXT_SCOPE=system portable").merged()).isTrue();
    }

    @Test
    void idLikeFrom258() {
        assertThat(judge(257, UBUNTU, "ID=debian\nVERSION_ID=24.04").merged()).isFalse();
        assertThat(judge(258, UBUNTU, "ID=debian\nVERSION_ID=24.04").merged()).isTrue();
        assertThat(judge(258, UBUNTU, "ID=debian\nVERSION_ID=24.04").because()).startsWith("ID=debian is in the host's ID_LIKE");
        assertThat(judge(258, UBUNTU, "ID=debian\nVERSION_ID=22.04").merged()).as("the version check still applies").isFalse();
    }

    @Test
    void idLikeBackportedToTheV257StableSeries() {
        var debian13 = SystemdVersion.parse("systemd 257 (257.13-1~deb13u1)");
        assertThat(debian13).isEqualTo(new SystemdVersion(257, 13));
        assertThat(Compatibility.judge(debian13, UBUNTU, Compatibility.parseRelease("ID=debian\nVERSION_ID=24.04")).merged())
                .as("257.13 carries the backport").isTrue();
        assertThat(Compatibility.judge(SystemdVersion.parse("systemd 257 (257.4-1)"), UBUNTU,
                Compatibility.parseRelease("ID=debian\nVERSION_ID=24.04")).merged()).as("not assumed before 257.13").isFalse();
        assertThat(SystemdVersion.parse("systemd 262 (262.1-1)")).isEqualTo(new SystemdVersion(262, 1));
        assertThat(SystemdVersion.parse("systemd 255 (255.4-1ubuntu8.12)")).isEqualTo(new SystemdVersion(255, 4));
        assertThat(SystemdVersion.parse("systemd 254 (254.27+suse.1)")).hasToString("254.27");
        assertThat(SystemdVersion.parse("not systemd")).isNull();
    }

    @Test
    void noReleaseNoMerge() {
        assertThat(judge(257, BOOKWORM, null).merged()).isFalse();
        assertThat(judge(257, BOOKWORM, "VERSION_ID=12").because()).contains("no ID");
    }
}
