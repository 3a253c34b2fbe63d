package dev.sysextharness.sysext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.List;

/**
 * Kairos's documented /opt opt-in as a cloud-config for /oem: in {@code stages.initramfs.after} (after the
 * {@code initramfs} stage that writes the stock files on every boot) it rewrites the systemd-sysext drop-in and the
 * profile.d file with the hierarchy list plus /opt, keeping the service's image policy.
 */
public final class KairosOptStage {
    public static final String OEM_FILE = "/oem/91_harness_opt_in.yaml";
    static final String DROP_IN = "/etc/systemd/system/systemd-sysext.service.d/kairos.conf";
    static final String PROFILE = "/etc/profile.d/systemd-sysext.sh";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

    private KairosOptStage() {
    }

    /** @param hierarchies the list with /opt; @param imagePolicy the service's policy, or null */
    public static String render(List<String> hierarchies, String imagePolicy) {
        String list = String.join(":", hierarchies);
        String refresh = "systemd-sysext refresh" + (imagePolicy == null ? "" : " --image-policy=\"" + imagePolicy + "\"");
        String dropIn = "[Service]\nTimeoutStartSec=10\nExecStart=\nExecStart=" + refresh + "\nExecReload=\nExecReload=" + refresh
                + "\nEnvironment=\"SYSTEMD_SYSEXT_HIERARCHIES=" + list + "\"\n[Unit]\nJobRunningTimeoutSec=5\n";
        ObjectNode root = YAML.createObjectNode();
        ObjectNode stage = root.putObject("stages").putArray("initramfs.after").addObject()
                .put("name", "Add /opt to the system extension hierarchies");
        ArrayNode files = stage.putArray("files");
        files.addObject().put("path", DROP_IN).put("permissions", 0644).put("content", dropIn);
        files.addObject().put("path", PROFILE).put("permissions", 0644)
                .put("content", "export SYSTEMD_SYSEXT_HIERARCHIES=\"" + list + "\"\n");
        try {
            return "#cloud-config\n" + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
