package dev.sysextharness.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Login;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloudConfigTest {
    final CloudConfig config = new CloudConfig("/dev/vda", new Login("kairos", "kairos"), List.of(
            Bundle.container("/var/lib/extensions/hello", "10.0.2.100:5000/hello:1"),
            Bundle.container("/var/lib/extensions/kubo", "10.0.2.100:5000/kubo-like:1")));

    @Test
    void rendersKairosInstallWithBundlesAndAnAdminUser() throws Exception {
        String text = config.render();
        assertThat(text).startsWith("#cloud-config\n");
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(text);
        JsonNode install = root.path("install");
        assertThat(install.path("auto").asBoolean()).isTrue();
        assertThat(install.path("poweroff").asBoolean()).isTrue();
        assertThat(install.path("device").asText()).isEqualTo("/dev/vda");
        assertThat(install.path("bundles").get(0).path("rootfs_path").asText()).isEqualTo("/var/lib/extensions/hello");
        assertThat(install.path("bundles").get(0).path("targets").get(0).asText()).isEqualTo("container://10.0.2.100:5000/hello:1");
        JsonNode user = root.path("stages").path("initramfs").get(0).path("users").path("kairos");
        assertThat(user.path("passwd").asText()).isEqualTo("kairos");
        assertThat(user.path("groups").get(0).asText()).isEqualTo("admin");
    }

    @Test
    void parsesBackWhatItRendered() {
        CloudConfig back = CloudConfig.parse("test", config.render());
        assertThat(back).isEqualTo(config);
        assertThat(back.bundles().get(1).image()).isEqualTo("10.0.2.100:5000/kubo-like:1");
    }

    @Test
    void refusesWhatKairosWouldNotRead() {
        assertThatThrownBy(() -> CloudConfig.parse("user-data", "install: {}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user-data").hasMessageContaining("#cloud-config");
        assertThatThrownBy(() -> CloudConfig.parse("user-data", "#cloud-config\ninstall:\n  bundles:\n    - rootfs_path: rel/path\n      targets: [container://x]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rootfs_path must be absolute");
    }

    @Test
    void rootfsPathsMapOntoCosPersistent() {
        assertThat(PersistentPaths.onPersistent("/var/lib/extensions/hello")).isEqualTo(".state/var-lib-extensions.bind/hello");
        assertThat(PersistentPaths.onPersistent("/opt/app")).isEqualTo(".state/opt.bind/app");
        assertThat(PersistentPaths.onPersistent("/usr/local/lib/extensions/kubo")).isEqualTo("lib/extensions/kubo");
        assertThatThrownBy(() -> PersistentPaths.onPersistent("/etc/extensions/x"))
                .hasMessageContaining("not on persistent storage");
        assertThatThrownBy(() -> PersistentPaths.onPersistent("/optional/x")).hasMessageContaining("not on persistent storage");
    }
}
