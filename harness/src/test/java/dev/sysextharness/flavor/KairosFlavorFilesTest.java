package dev.sysextharness.flavor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.host.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The four Kairos v3.7.2 flavor files, as shipped in vm-configs/, and what a bad one is told. */
class KairosFlavorFilesTest {
    private final Flavors flavors = Workspace.locate(null).flavors();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "kairos-opensuse-leap-15.6, opensuse, leap-15.6, 254",
            "kairos-fedora-40,          fedora,   40,        255",
            "kairos-ubuntu-24.04,       ubuntu,   24.04,     255",
            "kairos-ubuntu-22.04,       ubuntu,   22.04,     249"})
    void eachFlavorFileNamesItsReleaseArtifactsAndItsSystemd(String name, String distro, String release, int systemd) {
        Flavor f = flavors.load(name);

        assertThat(f.family()).isEqualTo(Family.KAIROS);
        assertThat(f.systemdVersion()).isEqualTo(systemd);
        String artifact = "kairos-" + distro + "-" + release + "-core-amd64-generic-v3.7.2.iso";
        assertThat(f.image().kairos().isoUrl())
                .isEqualTo("https://github.com/kairos-io/kairos/releases/download/v3.7.2/" + artifact);
        assertThat(f.image().kairos().fileName()).isEqualTo(artifact);
        assertThat(f.image().kairos().checksumUrl()).hasToString(f.image().kairos().isoUrl() + ".sha256");
        assertThat(f.image().kairos().containerImage()).isEqualTo("quay.io/kairos/" + distro + ":" + release + "-core-amd64-generic-v3.7.2");
        assertThat(f.login()).isEqualTo(new Login("kairos", "kairos"));
        assertThat(f.sysext().hierarchies()).startsWith("/usr/local/bin").endsWith("/usr/sbin").doesNotContain("/opt", "/usr");
        assertThat(f.sysext().optIn()).isEqualTo(OptIn.KAIROS_STAGE);
        assertThat(f.sysext().imagePolicy()).isEqualTo(systemd >= 254 ? "root=verity+absent:usr=verity+absent" : null);
        assertThat(f.unpackCommand("10.0.2.100:5000/hello:1", "/var/lib/extensions/hello"))
                .isEqualTo("kairos-agent pull-image 10.0.2.100:5000/hello:1 /var/lib/extensions/hello");
        assertThat(f.timeouts().install()).isPositive();
    }

    @TempDir
    Path dir;

    private String errorOf(String yaml) throws IOException {
        Files.writeString(dir.resolve("byo.yaml"), yaml);
        try {
            new Flavors(dir).load("byo");
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    /** The file a user copies to add a flavor: one of the shipped ones, renamed and pointed at a local ISO. */
    private String byo(Map<String, String> replace) throws IOException {
        String text = Files.readString(flavors.dir().resolve("kairos-ubuntu-24.04.yaml")).replace("name: kairos-ubuntu-24.04", "name: byo");
        for (var e : replace.entrySet()) {
            assertThat(text).contains(e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }

    @Test
    void aCopiedFlavorFilePointingAtALocalIsoLoads() throws IOException {
        Files.writeString(dir.resolve("byo.yaml"), byo(Map.of(
                "    isoUrl: https://github.com/kairos-io/kairos/releases/download/v3.7.2/kairos-ubuntu-24.04-core-amd64-generic-v3.7.2.iso",
                "    isoPath: /srv/isos/my-kairos.iso")));
        Flavor f = new Flavors(dir).load("byo");
        assertThat(f.image().kairos().isoPath()).isEqualTo(Path.of("/srv/isos/my-kairos.iso"));
        assertThat(f.image().kairos().fileName()).isEqualTo("my-kairos.iso");
    }

    @Test
    void badKairosFilesGetOneLineNamingTheField() throws IOException {
        String noIso = errorOf(byo(Map.of(
                "    isoUrl: https://github.com/kairos-io/kairos/releases/download/v3.7.2/kairos-ubuntu-24.04-core-amd64-generic-v3.7.2.iso\n",
                "")));
        assertThat(noIso).contains("byo.yaml").contains("field 'image.kairos.isoUrl'").doesNotContain("\n");

        assertThat(errorOf(byo(Map.of("generic-v3.7.2.iso\n", "generic-v3.7.2.img\n"))))
                .contains("field 'image.kairos.isoUrl': expected an http(s) URL of a .iso file");
        assertThat(errorOf(byo(Map.of("  installSeconds: 2400\n", ""))))
                .contains("field 'timeouts.installSeconds'").contains("install deadline");
        assertThat(errorOf(byo(Map.of("  optIn: kairos-stage", "  optIn: reboot-twice"))))
                .contains("field 'sysext.optIn'").contains("runtime-drop-in, kairos-stage");
        assertThat(errorOf(byo(Map.of("    containerImage: quay.io/kairos/ubuntu:24.04-core-amd64-generic-v3.7.2\n", ""))))
                .contains("field 'image.kairos.containerImage' is missing");
        assertThat(errorOf(byo(Map.of("    immucore: v0.12.0\n", ""))))
                .contains("field 'image.kairos.immucore'").contains("v0.12.0 in Kairos v3.7.x").doesNotContain("\n");
        assertThat(errorOf(byo(Map.of("    immucore: v0.12.0\n", "    immucore: 0.12\n"))))
                .contains("field 'image.kairos.immucore': expected a release like v0.12.0, got '0.12'");
    }

    @Test
    void everyKairosFlavorNamesTheImmucoreOfItsRelease() {
        for (String name : List.of("kairos-fedora-40", "kairos-opensuse-leap-15.6", "kairos-ubuntu-22.04", "kairos-ubuntu-24.04")) {
            assertThat(flavors.load(name).image().kairos().immucore()).as(name).isEqualTo("v0.12.0");
        }
    }

    @Test
    void overridesReplaceTheIsoButKeepTheContainerImage() {
        KairosImageSpec spec = flavors.load("kairos-fedora-40").image().kairos();
        KairosImageSpec local = spec.override(Path.of("/tmp/x.iso"), null, null);
        assertThat(local.isoPath()).isEqualTo(Path.of("/tmp/x.iso"));
        assertThat(local.isoUrl()).isNull();
        assertThat(local.containerImage()).isEqualTo(spec.containerImage());
        assertThat(local.immucore()).isEqualTo(spec.immucore());
        KairosImageSpec url = spec.override(null, "http://127.0.0.1:8080/k.iso", "a".repeat(64));
        assertThat(url.fileName()).isEqualTo("k.iso");
        assertThat(url.sha256()).isEqualTo("a".repeat(64));
        assertThatThrownBy(() -> spec.override(null, "http://127.0.0.1:8080/k.iso", "XYZ"))
                .hasMessageContaining("field 'sha256'");
    }
}
