package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The variable store writer against a store made by another tool: trixie's {@code virt-fw-vars 24.11}
 * ({@code -i OVMF_VARS_4M.fd -o vars-db.fd --add-db 9c1f0a3e-… cert.pem}, stop 21, the store whose db made trixie's
 * and sid's kernels trust the certificate) — byte for byte, from Debian 12's own {@code ovmf} package.
 */
class UefiVarStoreTest {
    static final Path EMPTY = Path.of(Firmware.OVMF_VARS);

    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = UefiVarStoreTest.class.getResourceAsStream("/uefi/" + name)) {
            return name.endsWith(".gz") ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
        }
    }

    @Test
    void dbWithOneCertificateIsWhatVirtFwVarsWrites() throws IOException {
        byte[] cert = resource("trusted-cert.der");
        UefiVarStore store = UefiVarStore.read(EMPTY);
        assertThat(store.variables()).as("the firmware's empty store").isEmpty();

        Path out = dir.resolve("vars.fd");
        store.withDb(cert, UefiVarStore.HARNESS_OWNER, LocalDateTime.of(2026, 12, 1, 15, 25, 45)).write(out);

        assertThat(Files.readAllBytes(out)).as("the store virt-fw-vars made from the same file, certificate and time")
                .isEqualTo(resource("vars-db-by-virt-fw-vars.fd.gz"));
        UefiVarStore.Variable db = UefiVarStore.read(out).variables().get(0);
        assertThat(db.name()).isEqualTo("db");
        assertThat(db.vendor()).isEqualTo(UefiVarStore.IMAGE_SECURITY_DATABASE);
        assertThat(db.attributes()).isEqualTo(UefiVarStore.DB_ATTRIBUTES);
        assertThat(db.data()).hasSize(28 + 16 + cert.length).endsWith(cert);
    }

    @Test
    void aSecondDbIsRefusedAndAFileThatIsNoStoreIsNamed() throws IOException {
        Path out = dir.resolve("vars.fd");
        UefiVarStore.read(EMPTY).withDb(resource("trusted-cert.der"), UefiVarStore.HARNESS_OWNER, null).write(out);
        assertThatThrownBy(() -> UefiVarStore.read(out).withDb(new byte[] {1}, UefiVarStore.HARNESS_OWNER, null))
                .isInstanceOf(ConfigException.class).hasMessage(out + ": already has a db; start from the firmware's empty variable store");

        Path code = Path.of(Firmware.OVMF_CODE);
        assertThatThrownBy(() -> UefiVarStore.read(code)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(code + " is no edk2 variable store: ");
        Path empty = Files.write(dir.resolve("empty.fd"), new byte[0]);
        assertThatThrownBy(() -> UefiVarStore.read(empty)).hasMessage(empty + " is no edk2 variable store: no firmware volume header (_FVH at offset 40)");
    }
}
