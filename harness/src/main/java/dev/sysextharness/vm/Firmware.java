package dev.sysextharness.vm;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.LocalDateTime;
import java.util.HexFormat;

/**
 * UEFI firmware for nodes whose kernel must trust a certificate the way a Secure Boot machine's does: Debian's
 * {@code ovmf} package (the 4 MB build without enforced Secure Boot) and a variable store whose {@code db} holds that
 * certificate. The kernel's EFI stub reads db at boot and loads it into the {@code .platform} keyring, which
 * dm-verity consults for root hash signatures on kernels built with
 * CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG_PLATFORM_KEYRING — measured in stop 21 on each reference flavor's kernel
 * (harness/src/test/resources/measured/kernel-trust/).
 */
public final class Firmware {
    public static final String OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public static final String OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    static final String KIND = "uefi-vars";
    private static final String FILE = "vars.fd";

    private Firmware() {
    }

    /** Firmware code and the empty variable store are there, or one line naming the package. */
    public static void requireOvmf() {
        for (String f : new String[] {OVMF_CODE, OVMF_VARS}) {
            if (!Files.isRegularFile(Path.of(f))) {
                throw new ConfigException("UEFI firmware " + f + " is missing: install Debian's ovmf package (apt-get install ovmf)");
            }
        }
    }

    /**
     * The variable store with db = {@code certificatePem}, made once per firmware and certificate and kept in the
     * cache; a node boots on a private copy of it (the firmware may write its store).
     */
    public static Path varsWithDb(ImageCache cache, Path certificatePem, Progress progress) {
        requireOvmf();
        byte[] der = der(certificatePem);
        String key;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(Path.of(OVMF_VARS)));
            sha.update(der);
            key = HexFormat.of().formatHex(sha.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new HarnessException("cannot read " + OVMF_VARS + ": " + e.getMessage(), e);
        }
        Path dir = cache.getOrBuild(KIND, key, (into, p) -> {
            p.step("UEFI variable store with db = " + certificatePem.getFileName() + " (" + into.getFileName() + ")");
            UefiVarStore.read(Path.of(OVMF_VARS)).withDb(der, UefiVarStore.HARNESS_OWNER, LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0))
                    .write(into.resolve(FILE));
        }, ImageCache.Check.files(null, FILE), progress);
        return dir.resolve(FILE);
    }

    /**
     * A certificate as the node's kernel names it once the firmware's db put it into a keyring ({@code integrity:
     * Loaded X.509 cert 'DESCRIPTION'}): its subject's CN, a colon, its subject key identifier in hex.
     */
    public record DbCertificate(Path pem, String fingerprint, String kernelDescription) {
    }

    /** The certificate in {@code pem}, with its SHA-256 fingerprint and the name the kernel will give it. */
    public static DbCertificate dbCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            byte[] skid = cert.getExtensionValue("2.5.29.14"); // OCTET STRING wrapping the OCTET STRING of the key id
            if (skid == null || skid.length < 4 || skid[0] != 0x04 || skid[2] != 0x04) {
                throw new ConfigException(pem + ": the certificate has no subject key identifier, by which the kernel names it");
            }
            String id = HexFormat.of().formatHex(java.util.Arrays.copyOfRange(skid, 4, 4 + skid[3]));
            String cn = javax.naming.ldap.Rdn.unescapeValue(new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName())
                    .getRdns().stream().filter(r -> r.getType().equalsIgnoreCase("CN")).map(r -> r.getValue().toString()).findFirst()
                    .orElseThrow(() -> new ConfigException(pem + ": the certificate's subject has no CN"))).toString();
            String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
            return new DbCertificate(pem, fingerprint, cn + ": " + id);
        } catch (IOException | CertificateException | NoSuchAlgorithmException | javax.naming.InvalidNameException e) {
            throw new ConfigException(pem + ": not a readable X.509 certificate: " + e.getMessage());
        }
    }

    static byte[] der(Path certificatePem) {
        try (InputStream in = Files.newInputStream(certificatePem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        } catch (IOException | CertificateException e) {
            throw new ConfigException(certificatePem + ": not a readable X.509 certificate: " + e.getMessage());
        }
    }
}
