package dev.sysextharness.sysext;

import dev.sysextharness.extension.DdiBuilder;
import dev.sysextharness.extension.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small extension written straight into a node's search path as a directory, for compatibility scenarios
 * whose subject is the extension-release file, not the delivery: {@code DirectoryExtension.named("a").release("ID=_any")
 * .file("usr/share/a/id", "a")}. Rendered as one root shell script.
 */
public final class DirectoryExtension {
    private final String name;
    private String searchDir = "/var/lib/extensions";
    private String release;
    private String releaseFileName;
    private boolean strictFalseXattr;
    private final Map<String, String> files = new LinkedHashMap<>();
    private final Map<String, byte[]> binaries = new LinkedHashMap<>();
    private String rawFile;
    private DdiBuilder.Kind ddi;
    private SigningKey signer;

    private DirectoryExtension(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("not an extension name: " + name);
        }
        this.name = name;
        this.releaseFileName = name;
    }

    public static DirectoryExtension named(String name) {
        return new DirectoryExtension(name);
    }

    /** The extension-release content, e.g. "ID=_any" (lines joined with \n); none is written when never set. */
    public DirectoryExtension release(String... lines) {
        this.release = String.join("\n", lines) + "\n";
        return this;
    }

    /** Name the release file for another image (extension-release.OTHER). */
    public DirectoryExtension releaseFileNamed(String other) {
        this.releaseFileName = other;
        return this;
    }

    /** Mark the release file with user.extension-release.strict=false. */
    public DirectoryExtension strictFalse() {
        this.strictFalseXattr = true;
        return this;
    }

    public DirectoryExtension file(String relativePath, String content) {
        files.put(checkedPath(relativePath), content);
        return this;
    }

    /** A file of any bytes, mode 0755 (an ELF program or library: {@link ElfFixture}). */
    public DirectoryExtension binary(String relativePath, byte[] content) {
        binaries.put(checkedPath(relativePath), content.clone());
        return this;
    }

    private static String checkedPath(String relativePath) {
        if (relativePath.startsWith("/") || relativePath.contains("..") || relativePath.contains("'")) {
            throw new IllegalArgumentException("not a relative path inside the extension: " + relativePath);
        }
        return relativePath;
    }

    /** Every shipped file's bytes by relative path (the release file included), as the oracle reads them. */
    public Map<String, byte[]> shippedBytes() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        files.forEach((p, c) -> out.put(p, c.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        binaries.forEach((p, c) -> out.put(p, c.clone()));
        if (release != null) {
            out.put(releasePath(), release.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * Ship it as a plain squashfs image file named {@code fileName} (NAME.raw, NAME.sysext.raw, NAME_1.2.raw …) in the
     * search directory instead of as a directory: built in the guest with mksquashfs (VM lane: a .raw needs a loop device).
     */
    public DirectoryExtension asSquashfs(String fileName) {
        if (!fileName.endsWith(".raw") || fileName.contains("/") || fileName.contains("'")) {
            throw new IllegalArgumentException("not an image file name NAME.raw: " + fileName);
        }
        this.rawFile = fileName;
        return this;
    }

    /**
     * Ship it as a DDI named {@code fileName} with a verity hash partition (no signature), made on the host by
     * systemd-repart and sent to the node as a file (VM lane).
     */
    public DirectoryExtension asVerityDdi(String fileName) {
        asSquashfs(fileName);
        this.ddi = DdiBuilder.Kind.VERITY;
        return this;
    }

    /** Ship it as a DDI without verity: what an image policy calls unprotected, like a naked squashfs. */
    public DirectoryExtension asPlainDdi(String fileName) {
        asSquashfs(fileName);
        this.ddi = DdiBuilder.Kind.PLAIN;
        return this;
    }

    /** Ship it as a verity DDI signed with {@code key}. */
    public DirectoryExtension asSignedDdi(String fileName, SigningKey key) {
        asSquashfs(fileName);
        this.ddi = DdiBuilder.Kind.SIGNED;
        this.signer = key;
        return this;
    }

    /** The DDI kind it ships as, or null when it is a directory or a squashfs made in the guest. */
    DdiBuilder.Kind ddiKind() {
        return ddi;
    }

    SigningKey signer() {
        return signer;
    }

    /** The image file name (NAME.raw …), or null for a directory. */
    public String fileName() {
        return rawFile;
    }

    /** /var/lib/extensions (default), /run/extensions or /etc/extensions. */
    public DirectoryExtension in(String dir) {
        this.searchDir = dir;
        return this;
    }

    public String name() {
        return name;
    }

    public String path() {
        return searchDir + "/" + (rawFile != null ? rawFile : name);
    }

    /** This extension as the service-level oracle sees it, before it is placed. */
    public MergeOracle.Image asImage() {
        MergeOracle.Kind kind = rawFile == null ? MergeOracle.Kind.DIRECTORY : ddi == DdiBuilder.Kind.VERITY ? MergeOracle.Kind.VERITY_RAW
                : ddi == DdiBuilder.Kind.SIGNED ? MergeOracle.Kind.SIGNED_RAW : MergeOracle.Kind.UNPROTECTED_RAW;
        return new MergeOracle.Image(searchDir, rawFile != null ? rawFile : name, kind, release == null ? null : releaseFileName,
                release == null ? null : Compatibility.parseRelease(release), strictFalseXattr, files.containsKey("usr/lib/os-release"),
                paths(), signer == null ? null : signer.fingerprint());
    }

    /** Writes the tree on the host under {@code dir} (for a DDI made there); the strict=false xattr is not carried. */
    void writeTree(Path dir) throws IOException {
        if (strictFalseXattr) {
            throw new IllegalStateException(name + ": the strict=false xattr is written in the guest only");
        }
        for (var f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
            if (f.getKey().contains("/bin/")) {
                p.toFile().setExecutable(true, false);
            }
        }
        for (var b : binaries.entrySet()) {
            Path p = dir.resolve(b.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, b.getValue());
            p.toFile().setExecutable(true, false);
        }
        if (release != null) {
            Path rel = dir.resolve(releasePath());
            Files.createDirectories(rel.getParent());
            Files.writeString(rel, release);
        }
    }

    /** Where the release file lies, relative to the extension's root. */
    private String releasePath() {
        return "usr/lib/extension-release.d/extension-release." + releaseFileName;
    }

    /** Relative paths of everything the extension ships, including its release file. */
    public List<String> paths() {
        List<String> p = new ArrayList<>(files.keySet());
        p.addAll(binaries.keySet());
        if (release != null) {
            p.add(releasePath());
        }
        return p;
    }

    /**
     * The root shell script that writes it. Every program it starts is translated afresh in a restored QEMU under
     * TCG, so it starts few: one {@code mkdir -p} for all directories (worked out here, not with {@code dirname}),
     * {@code printf} (a shell builtin) for the contents, one {@code chmod} for the programs, and {@code rm -rf} only
     * when something is there to remove.
     */
    String script() {
        if (ddi != null) {
            return "mkdir -p " + searchDir; // the DDI itself is made on the host and sent
        }
        // a squashfs is built from the same tree in a scratch directory, then the tree goes
        String tree = rawFile == null ? path() : "/var/tmp/sysext-harness-tree/" + name;
        Set<String> dirs = new TreeSet<>();
        List<String> programs = new ArrayList<>();
        for (String p : paths()) {
            int slash = p.lastIndexOf('/');
            if (slash > 0) {
                dirs.add(p.substring(0, slash));
            }
        }
        StringBuilder sb = new StringBuilder("set -e; d=").append(tree)
                .append("; if [ -e \"$d\" ] || [ -L \"$d\" ]; then rm -rf \"$d\"; fi; mkdir -p \"$d\"");
        dirs.forEach(dir -> sb.append(" \"$d/").append(dir).append('"'));
        if (rawFile != null) {
            sb.append(' ').append(searchDir);
        }
        for (var f : files.entrySet()) {
            sb.append("; printf '%s' ").append(quote(f.getValue())).append(" > \"$d/").append(f.getKey()).append('"');
            if (f.getKey().contains("/bin/")) {
                programs.add(f.getKey());
            }
        }
        for (var b : binaries.entrySet()) {
            sb.append("; printf '%s' ").append(java.util.Base64.getEncoder().encodeToString(b.getValue()))
                    .append(" | base64 -d > \"$d/").append(b.getKey()).append('"');
            programs.add(b.getKey());
        }
        if (!programs.isEmpty()) {
            sb.append("; chmod 755");
            programs.forEach(p -> sb.append(" \"$d/").append(p).append('"'));
        }
        if (release != null) {
            String rel = "$d/" + releasePath();
            sb.append("; printf '%s' ").append(quote(release)).append(" > \"").append(rel).append('"');
            if (strictFalseXattr) {
                sb.append("; setfattr -n user.extension-release.strict -v false \"").append(rel).append('"');
            }
        }
        if (rawFile != null) {
            sb.append("; mksquashfs \"$d\" ").append(path()).append(" -quiet -noappend -all-root >/dev/null; rm -rf \"$d\"");
        }
        return sb.toString();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
