package dev.sysextharness.flavor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlavorLoadingTest {
    static final String VALID = """
            name: sample
            family: reference
            image:
              reference:
                suite: bookworm
                mirror: http://deb.debian.org/debian
            systemdVersion: 252
            login: {user: kairos, password: kairos}
            sysext:
              hierarchies: [/usr/bin, /usr/lib]
              optMerged: false
            runtimeUnpack: "unpack {image} {dir}"
            machine: {memoryMiB: 1024, cpus: 2}
            timeouts: {bootSeconds: 180, rebootSeconds: 240, commandSeconds: 60}
            """;

    @TempDir
    Path dir;

    Flavor load(String yaml) throws IOException {
        Files.writeString(dir.resolve("sample.yaml"), yaml);
        return new Flavors(dir).load("sample");
    }

    String errorOf(String yaml) throws IOException {
        Files.writeString(dir.resolve("sample.yaml"), yaml);
        try {
            new Flavors(dir).load("sample");
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void loadsAValidFlavor() throws IOException {
        Flavor f = load(VALID);
        assertThat(f.family()).isEqualTo(Family.REFERENCE);
        assertThat(f.image().reference().suite()).isEqualTo("bookworm");
        assertThat(f.sysext().hierarchyVariable()).isEqualTo("/usr/bin:/usr/lib");
        assertThat(f.sysext().imagePolicy()).isNull();
        assertThat(f.unpackCommand("10.0.2.100:5000/hello:1", "/var/lib/extensions/hello"))
                .isEqualTo("unpack 10.0.2.100:5000/hello:1 /var/lib/extensions/hello");
        assertThat(f.timeouts().boot()).hasSeconds(180);
        assertThat(f.machine().preloadModules()).as("no preloadModules: none").isEmpty();
        assertThat(load(VALID.replace("cpus: 2}", "cpus: 2, preloadModules: [loop, dm_verity]}")).machine().preloadModules())
                .containsExactly("loop", "dm_verity");
    }

    @Test
    void theShippedDefaultFlavorLoads() {
        Path repo = Path.of(System.getProperty("sysext.repoRoot", ".."));
        Flavor f = new Flavors(repo.resolve("vm-configs")).load(Flavors.DEFAULT);
        assertThat(f.systemdVersion()).isEqualTo(252);
        assertThat(f.sysext().hierarchies()).doesNotContain("/usr", "/opt").contains("/usr/bin", "/usr/local/bin");
    }

    @Test
    void unknownFieldNamesFileFieldAndAlternatives() throws IOException {
        String msg = errorOf(VALID.replace("  optMerged: false", "  optMerged: false\n  colour: blue"));
        assertThat(msg).startsWith(dir.resolve("sample.yaml").toString())
                .contains("unknown field 'sysext.colour'")
                .contains("hierarchies").contains("optMerged")
                .doesNotContain("\n");
    }

    @Test
    void missingFieldIsNamed() throws IOException {
        String msg = errorOf(VALID.replace("systemdVersion: 252\n", ""));
        assertThat(msg).contains("field 'systemdVersion' is missing").doesNotContain("\n");
    }

    @Test
    void missingNestedFieldIsNamedWithItsPath() throws IOException {
        String msg = errorOf(VALID.replace("    suite: bookworm\n", ""));
        assertThat(msg).contains("field 'image.reference.suite' is missing");
    }

    @Test
    void badEnumListsTheAllowedValues() throws IOException {
        String msg = errorOf(VALID.replace("family: reference", "family: gentoo"));
        assertThat(msg).contains("field 'family'").contains("'gentoo' is not one of reference, kairos");
    }

    @Test
    void recordChecksNameTheFullPath() throws IOException {
        assertThat(errorOf(VALID.replace("memoryMiB: 1024", "memoryMiB: 12")))
                .contains("field 'machine.memoryMiB': expected at least 256, got 12");
        assertThat(errorOf(VALID.replace("cpus: 2}", "cpus: 2, preloadModules: [loop, dm-verity]}")))
                .contains("field 'machine.preloadModules': expected module names as /sys/module lists them (letters, digits, '_'),"
                        + " got 'dm-verity'");
        assertThat(errorOf(VALID.replace("hierarchies: [/usr/bin, /usr/lib]", "hierarchies: [usr/bin]")))
                .contains("field 'sysext.hierarchies': expected absolute paths");
        assertThat(errorOf(VALID.replace("optMerged: false", "optMerged: true")))
                .contains("field 'sysext.optMerged': is true but '/opt' is not in hierarchies");
    }

    @Test
    void imagePolicyBeforeSystemd254IsRefused() throws IOException {
        String msg = errorOf(VALID.replace("  optMerged: false", "  optMerged: false\n  imagePolicy: root=verity+absent"));
        assertThat(msg).contains("field 'sysext.imagePolicy'").contains("added in 254");
    }

    @Test
    void wrongTypeIsExplained() throws IOException {
        assertThat(errorOf(VALID.replace("systemdVersion: 252", "systemdVersion: lots")))
                .contains("field 'systemdVersion'").contains("'lots'");
        assertThat(errorOf(VALID.replace("hierarchies: [/usr/bin, /usr/lib]", "hierarchies: {a: b}")))
                .contains("field 'sysext.hierarchies'").contains("expected a list");
    }

    @Test
    void brokenYamlGivesALine() throws IOException {
        assertThat(errorOf("name: sample\nfamily: \"unterminated\n")).contains("not valid YAML").contains("line");
    }

    @Test
    void fileNameMustMatchName() throws IOException {
        assertThat(errorOf(VALID.replace("name: sample", "name: other")))
                .contains("field 'name' is 'other' but the file is named 'sample.yaml'");
    }

    @Test
    void unknownFlavorListsKnownOnes() throws IOException {
        Files.writeString(dir.resolve("sample.yaml"), VALID);
        assertThatThrownBy(() -> new Flavors(dir).load("nope"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown flavor 'nope'")
                .hasMessageContaining("known flavors: sample");
    }
}
