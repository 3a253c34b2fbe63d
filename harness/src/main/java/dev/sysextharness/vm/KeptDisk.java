package dev.sysextharness.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The disk a failed cell's node ran on, recorded in its evidence directory ({@value #FILE}) so that {@code boot --from}
 * can boot it again: the overlay (kept where it is, a few MB), the files it reads through (the saved state's frozen
 * overlay and the cached base disk, which stay in the cache) and how the flavor boots (kernel, initramfs, command line;
 * none for a disk with its own bootloader).
 */
public record KeptDisk(String flavor, Path overlay, List<Path> backingChain, Path kernel, Path initrd, String append) {
    public static final String FILE = "kept-disk.json";

    /** Records the overlay {@code dir/overlay.qcow2} of a node of {@code flavor} that booted {@code disk}. */
    public static KeptDisk record(Path dir, String flavor, BootDisk disk) throws IOException {
        Path overlay = dir.resolve("overlay.qcow2").toAbsolutePath();
        KeptDisk kept = new KeptDisk(flavor, overlay, Overlay.backingChain(overlay), disk.kernel(), disk.initrd(), disk.append());
        ObjectNode json = Json.mapper().createObjectNode().put("flavor", flavor).put("overlay", overlay.getFileName().toString());
        var chain = json.putArray("backingChain");
        kept.backingChain.forEach(p -> chain.add(p.toString()));
        if (disk.directKernel()) {
            json.put("kernel", disk.kernel().toString()).put("initrd", disk.initrd().toString()).put("append", disk.append());
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return kept;
    }

    /**
     * The disk kept in a cell's evidence directory; a usage error (one line) when there is none, or when a file it
     * needs is gone (a cache entry rebuilt or removed since the run).
     */
    public static KeptDisk read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(dir + ": no " + FILE + " here; give the evidence directory of a failed VM cell"
                    + " (reports/<run>/evidence/<flavor>/<Class.method>)");
        }
        KeptDisk kept;
        try {
            JsonNode json = Json.mapper().readTree(file.toFile());
            List<Path> chain = new ArrayList<>();
            json.path("backingChain").forEach(p -> chain.add(Path.of(p.asText())));
            kept = new KeptDisk(required(json, "flavor", file), dir.resolve(required(json, "overlay", file)).toAbsolutePath(), chain,
                    json.hasNonNull("kernel") ? Path.of(json.get("kernel").asText()) : null,
                    json.hasNonNull("initrd") ? Path.of(json.get("initrd").asText()) : null,
                    json.hasNonNull("append") ? json.get("append").asText() : null);
        } catch (IOException e) {
            throw new ConfigException(file + ": not readable as JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        List<Path> needed = new ArrayList<>(List.of(kept.overlay));
        needed.addAll(kept.backingChain);
        if (kept.kernel != null) {
            needed.addAll(List.of(kept.kernel, kept.initrd));
        }
        for (Path p : needed) {
            if (!Files.isRegularFile(p)) {
                throw new ConfigException(file + ": the kept disk needs " + p + ", which is missing (the cache entry was rebuilt"
                        + " or removed since that run); run the cell again with --keep instead");
            }
        }
        return kept;
    }

    private static String required(JsonNode json, String field, Path file) {
        if (!json.hasNonNull(field) || json.get(field).asText().isBlank()) {
            throw new ConfigException(file + ": field '" + field + "' is missing");
        }
        return json.get(field).asText();
    }

    /** What a node boots to start from the kept disk: the overlay itself as its base (each boot gets a fresh overlay of it). */
    public BootDisk bootDisk() {
        return new BootDisk(overlay, "qcow2", kernel, initrd, append);
    }
}
