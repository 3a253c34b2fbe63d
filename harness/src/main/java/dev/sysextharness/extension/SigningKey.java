package dev.sysextharness.extension;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.ImageCache;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * A key and self-signed certificate that sign verity DDIs, made with openssl on the host the first time a name is
 * asked for and kept in the cache (so a DDI signed with it stays cached too). Which keys a node trusts is the node's
 * business: a key is only a name, a pair of files and the fingerprint systemd-repart writes into the signature
 * partition (SHA-256 of the certificate's DER encoding).
 *
 * @param name        what the key stands for in reports ("trusted", "untrusted")
 * @param privateKey  PEM private key
 * @param certificate PEM certificate
 * @param fingerprint hex SHA-256 of the certificate's DER bytes
 */
public record SigningKey(String name, Path privateKey, Path certificate, String fingerprint) {
    static final String KIND = "signing-keys";

    /** The key of that name in the cache, made first if missing. */
    public static SigningKey named(ImageCache cache, String name, Progress progress) {
        if (!name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("not a key name: " + name);
        }
        Path dir = cache.getOrBuild(KIND, name, (into, p) -> generate(name, into, p),
                ImageCache.Check.files(null, "key.pem", "cert.pem"), progress);
        return of(name, dir.resolve("key.pem"), dir.resolve("cert.pem"));
    }

    /** A key from existing files (an author's own, say). */
    public static SigningKey of(String name, Path privateKey, Path certificate) {
        return new SigningKey(name, privateKey, certificate, fingerprintOf(certificate));
    }

    /** The SHA-256 of a PEM certificate's DER bytes, in lowercase hex. */
    public static String fingerprintOf(Path certificate) {
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (IOException | CertificateException | NoSuchAlgorithmException e) {
            throw new HarnessException(certificate + ": not a readable X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static void generate(String name, Path into, Progress progress) {
        progress.step("making signing key '" + name + "' with openssl");
        try {
            OwnedProcesses.run(List.of("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days",
                    "3650", "-subj", "/CN=sysext-harness " + name + " DDI signing key", "-keyout", into.resolve("key.pem").toString(),
                    "-out", into.resolve("cert.pem").toString()), 60);
        } catch (HarnessException e) {
            throw new HarnessException("openssl could not make signing key '" + name + "': " + e.getMessage(), e);
        }
    }
}
