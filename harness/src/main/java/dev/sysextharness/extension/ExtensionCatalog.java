package dev.sysextharness.extension;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.ConfigFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** images/extensions/: one directory per extension, holding extension.yaml and rootfs/. */
public final class ExtensionCatalog {
    private final Path dir;

    public ExtensionCatalog(Path dir) {
        this.dir = dir;
    }

    public Extension load(String name) {
        Path home = dir.resolve(name);
        Path yaml = home.resolve("extension.yaml");
        if (!Files.isRegularFile(yaml)) {
            throw new ConfigException("unknown extension '" + name + "': no " + yaml + "; known: " + String.join(", ", names()));
        }
        return load(home);
    }

    /** Loads a definition directory anywhere (an author's own extension). */
    public static Extension load(Path home) {
        Path yaml = home.resolve("extension.yaml");
        ExtensionDefinition def = ConfigFiles.read(yaml, ExtensionDefinition.class);
        if (!def.name().equals(home.getFileName().toString())) {
            throw new ConfigException(yaml + ": field 'name' is '" + def.name() + "' but the directory is '" + home.getFileName() + "'");
        }
        Path rootfs = home.resolve("rootfs");
        if (!Files.isDirectory(rootfs)) {
            throw new ConfigException(home + ": no rootfs/ directory (the tree the extension ships)");
        }
        checkTree(yaml, rootfs);
        return new Extension(def, rootfs);
    }

    /** systemd-sysext merges only usr/ and opt/: anything else in the tree is a definition error. */
    static void checkTree(Path yaml, Path rootfs) {
        try (Stream<Path> top = Files.list(rootfs)) {
            for (Path p : top.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!(n.equals("usr") || n.equals("opt")) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ConfigException(yaml.getParent() + ": rootfs/" + n
                            + " is outside usr/ and opt/, which are the only trees systemd-sysext merges");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> names() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("extension.yaml"))).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
