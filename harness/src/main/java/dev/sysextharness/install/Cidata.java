package dev.sysextharness.install;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The NoCloud datasource a Kairos live ISO reads its cloud-config from: an ISO 9660 volume labelled {@code cidata}
 * holding {@code user-data} and an empty {@code meta-data} (Kairos's {@code cdrom} provider, as its e2e suite and
 * docs build it), written with xorriso (Rock Ridge and Joliet).
 */
public final class Cidata {
    public static final String LABEL = "cidata";

    private Cidata() {
    }

    /** Writes the volume to {@code iso}; it appears under that name only when complete. */
    public static Path write(String userData, Path iso) {
        try {
            Path staging = Files.createTempDirectory(iso.toAbsolutePath().getParent(), ".cidata-");
            try {
                Files.writeString(staging.resolve("user-data"), userData);
                Files.writeString(staging.resolve("meta-data"), "");
                Path tmp = staging.resolve("cidata.iso");
                OwnedProcesses.run(List.of("xorriso", "-as", "mkisofs", "-quiet", "-output", tmp.toString(),
                        "-volid", LABEL, "-joliet", "-rock",
                        staging.resolve("user-data").toString(), staging.resolve("meta-data").toString()), 60);
                Files.move(tmp, iso, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return iso;
            } finally {
                try (var files = Files.list(staging)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(staging);
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write the cidata volume " + iso + ": " + e.getMessage(), e);
        }
    }
}
