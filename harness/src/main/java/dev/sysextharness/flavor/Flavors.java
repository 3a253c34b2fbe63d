package dev.sysextharness.flavor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The vm-configs directory: one YAML file per flavor, named after it. */
public final class Flavors {
    public static final String DEFAULT = "debian-12";

    private final Path dir;

    public Flavors(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Flavor load(String name) {
        Path file = dir.resolve(name + ".yaml");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("unknown flavor '" + name + "': no " + file + "; known flavors: " + String.join(", ", names()));
        }
        Flavor flavor = ConfigFiles.read(file, Flavor.class);
        if (!flavor.name().equals(name)) {
            throw new ConfigException(file + ": field 'name' is '" + flavor.name() + "' but the file is named '" + name + ".yaml'");
        }
        return flavor;
    }

    public List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list flavors in " + dir + " (" + e.getMessage() + ")", e);
        }
    }
}
