package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class KairosOptStageTest {
    @Test
    void rewritesTheDropInAndProfileWithOptAppendedAfterTheStockInitramfsStage() throws Exception {
        List<String> withOpt = List.of("/usr/local/bin", "/usr/bin", "/usr/sbin", "/opt");
        String text = KairosOptStage.render(withOpt, "root=verity+absent:usr=verity+absent");

        assertThat(text).startsWith("#cloud-config\n");
        JsonNode stage = new ObjectMapper(new YAMLFactory()).readTree(text).path("stages").path("initramfs.after");
        assertThat(stage.isArray()).as("a stages.initramfs.after list in:\n%s", text).isTrue();
        JsonNode files = stage.get(0).path("files");
        assertThat(files.get(0).path("path").asText()).isEqualTo("/etc/systemd/system/systemd-sysext.service.d/kairos.conf");
        assertThat(files.get(0).path("content").asText())
                .contains("Environment=\"SYSTEMD_SYSEXT_HIERARCHIES=/usr/local/bin:/usr/bin:/usr/sbin:/opt\"")
                .contains("ExecStart=\nExecStart=systemd-sysext refresh --image-policy=\"root=verity+absent:usr=verity+absent\"");
        assertThat(files.get(1).path("path").asText()).isEqualTo("/etc/profile.d/systemd-sysext.sh");
        assertThat(files.get(1).path("content").asText())
                .isEqualTo("export SYSTEMD_SYSEXT_HIERARCHIES=\"/usr/local/bin:/usr/bin:/usr/sbin:/opt\"\n");
        assertThat(files.get(0).path("permissions").asInt()).isEqualTo(0644);
    }

    @Test
    void withoutAPolicyTheServiceRefreshesPlainly() {
        assertThat(KairosOptStage.render(List.of("/usr/bin", "/opt"), null))
                .contains("ExecStart=systemd-sysext refresh\n").doesNotContain("image-policy");
    }
}
