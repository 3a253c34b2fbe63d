package dev.sysextharness.install;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Login;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kairos cloud-config the harness installs with — the same YAML a Kairos ISO receives on its cidata volume,
 * and the one the reference flavors' offline installer reads its bundles from:
 * {@code install: {auto, device, poweroff, bundles}} and a user in group admin set in the initramfs stage.
 */
public record CloudConfig(String device, Login user, List<Bundle> bundles) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    public CloudConfig {
        bundles = List.copyOf(bundles);
    }

    public String render() {
        ObjectNode root = YAML.createObjectNode();
        ObjectNode install = root.putObject("install");
        install.put("auto", true).put("device", device).put("poweroff", true).put("reboot", false);
        if (!bundles.isEmpty()) {
            ArrayNode arr = install.putArray("bundles");
            for (Bundle b : bundles) {
                ObjectNode entry = arr.addObject().put("rootfs_path", b.rootfsPath());
                ArrayNode targets = entry.putArray("targets");
                b.targets().forEach(targets::add);
            }
        }
        ObjectNode userEntry = root.putObject("stages").putArray("initramfs").addObject()
                .put("name", "Set user and password")
                .putObject("users").putObject(user.user());
        userEntry.put("passwd", user.password());
        userEntry.putArray("groups").add("admin");
        try {
            return "#cloud-config\n" + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the parts the harness acts on back from a rendered (or hand-written) cloud-config. */
    public static CloudConfig parse(String source, String text) {
        if (!text.startsWith("#cloud-config")) {
            throw new ConfigException(source + ": a Kairos cloud-config must start with '#cloud-config'");
        }
        try {
            JsonNode root = YAML.readTree(text);
            JsonNode install = root.path("install");
            List<Bundle> bundles = new ArrayList<>();
            for (JsonNode b : install.path("bundles")) {
                List<String> targets = new ArrayList<>();
                b.path("targets").forEach(t -> targets.add(t.asText()));
                bundles.add(new Bundle(b.path("rootfs_path").asText(null), targets));
            }
            JsonNode users = root.path("stages").path("initramfs").path(0).path("users");
            String name = users.fieldNames().hasNext() ? users.fieldNames().next() : null;
            Login login = name == null ? null : new Login(name, users.path(name).path("passwd").asText());
            return new CloudConfig(install.path("device").asText(null), login, bundles);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML (" + e.getOriginalMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }
}
