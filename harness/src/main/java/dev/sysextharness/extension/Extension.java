package dev.sysextharness.extension;

import java.nio.file.Path;

/** A loaded, validated extension definition and the tree it ships. */
public record Extension(ExtensionDefinition definition, Path rootfs) {
    public String name() {
        return definition.name();
    }

    /** The sysext image name: /var/lib/extensions/&lt;this&gt;. */
    public String extensionName() {
        return definition.extensionName();
    }
}
