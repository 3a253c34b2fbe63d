package dev.sysextharness.extension;

import dev.sysextharness.container.DockerImages;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A local stand-in for {@code registry:2}, which cannot be pulled here: Debian's docker-registry binary (the same
 * CNCF distribution registry), the libraries ldd names for it, and a config in registry:2's layout
 * ({@code /bin/registry}, {@code /etc/docker/registry/config.yml}, storage in {@code /var/lib/registry}),
 * imported into the engine as {@value #DEFAULT}.
 */
public final class RegistryImage {
    public static final String DEFAULT = "sysext-harness/registry:2";
    static final String BINARY = "/usr/bin/docker-registry";

    private RegistryImage() {
    }

    /** Makes sure {@code ref} is on the engine: imported when it is the harness's own, else it must be there. */
    public static void ensure(DockerImages images, String ref, Path workDir) {
        if (images.has(ref)) {
            return;
        }
        if (!ref.equals(DEFAULT)) {
            throw new HarnessException("registry image " + ref + " is not on the Docker engine and nothing is pulled here;"
                    + " load it first (docker load / docker import) or use the default " + DEFAULT);
        }
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new HarnessException("cannot build " + DEFAULT + ": " + BINARY + " is missing; install it with: apt-get install -y docker-registry");
        }
        try {
            Files.createDirectories(workDir);
            Path tar = workDir.resolve("registry-rootfs.tar");
            writeRootfs(tar);
            images.importTarball(tar, DEFAULT.substring(0, DEFAULT.indexOf(':')), DEFAULT.substring(DEFAULT.indexOf(':') + 1));
            Files.deleteIfExists(tar);
        } catch (IOException e) {
            throw new HarnessException("cannot build " + DEFAULT + " in " + workDir + ": " + e.getMessage(), e);
        }
    }

    static void writeRootfs(Path tar) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("bin/registry", Path.of(BINARY));
        for (String lib : sharedLibraries(OwnedProcesses.run(List.of("ldd", BINARY), 30))) {
            // each library at the path the loader asks for, as a regular file: no symlink chains to reproduce
            files.put(lib.substring(1), Path.of(lib).toRealPath());
        }
        String config = """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:5000
                """;
        try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(Files.size(f.getValue()));
                e.setMode(0755);
                t.putArchiveEntry(e);
                Files.copy(f.getValue(), t);
                t.closeArchiveEntry();
            }
            byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry c = new TarArchiveEntry("etc/docker/registry/config.yml");
            c.setSize(bytes.length);
            c.setMode(0644);
            t.putArchiveEntry(c);
            t.write(bytes);
            t.closeArchiveEntry();
            for (String dir : List.of("var/lib/registry/", "tmp/")) {
                TarArchiveEntry d = new TarArchiveEntry(dir);
                d.setMode(dir.equals("tmp/") ? 01777 : 0755);
                t.putArchiveEntry(d);
                t.closeArchiveEntry();
            }
        }
    }

    /** Absolute paths from ldd's output: "libc.so.6 => /lib/…/libc.so.6 (…)" and the interpreter line. */
    static List<String> sharedLibraries(String ldd) {
        return ldd.lines().map(String::strip)
                .map(l -> l.contains("=>") ? l.substring(l.indexOf("=>") + 2).strip() : l)
                .filter(l -> l.startsWith("/"))
                .map(l -> l.replaceAll("\\s*\\(0x[0-9a-f]+\\)$", ""))
                .toList();
    }
}
