package dev.sysextharness.sysext;

import dev.sysextharness.extension.Extension;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Certification's proof, file by file: every regular file and symlink an extension ships, and what a node must show
 * at its path — the author's bytes (sha256) or link target where the oracle has the extension merged and the path lies
 * below a merged hierarchy; anything but the author's content where it does not; and nothing at all at a path the
 * image's whiteouts removed. The expected and the observed lists go into the cell's evidence.
 */
public final class ShippedFiles {
    /** What must be at {@code path}: {@code content} is "file SHA256" or "link TARGET"; {@code visible}: whether it must be. */
    public record Expected(String path, String content, boolean visible, String why) {
    }

    /** What was there: "file SHA256", "link TARGET" or "missing". */
    public record Seen(String path, String content) {
    }

    private ShippedFiles() {
    }

    /** For an extension that the oracle has {@code merged} (or not) on a node with these hierarchies. */
    public static List<Expected> expected(Extension ext, boolean merged, List<String> hierarchies) {
        List<Expected> out = new ArrayList<>();
        for (String f : ext.files()) {
            boolean below = MergeExpectation.isBelowAny(hierarchies, f);
            boolean visible = merged && below;
            String why = !merged ? "not merged" : below ? "merged, below a merged hierarchy" : "outside the flavor's hierarchies";
            out.add(new Expected("/" + f, content(ext, f), visible, why));
        }
        for (String gone : ext.whitedOut()) {
            out.add(new Expected("/" + gone, "missing", false, "removed by a whiteout of the image"));
        }
        return out;
    }

    private static String content(Extension ext, String relative) {
        Path p = ext.rootfs().resolve(relative);
        try {
            if (Files.isSymbolicLink(p)) {
                return "link " + Files.readSymbolicLink(p);
            }
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return "file " + sha256(Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
        // the release file: kept in the definition, not in rootfs/
        String text = ext.definition().releaseFile() != null ? ext.definition().releaseFile() : ext.definition().releaseText();
        return "file " + sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads every path in one root command on the guest. */
    public static List<Seen> observe(Guest guest, List<Expected> expected) {
        StringBuilder script = new StringBuilder("for p in");
        for (Expected e : expected) {
            script.append(' ').append(DirectoryExtension.quote(e.path()));
        }
        script.append("; do if [ -L \"$p\" ]; then echo \"$p\tlink $(readlink \"$p\")\"; elif [ -f \"$p\" ]; then"
                + " echo \"$p\tfile $(sha256sum < \"$p\" | cut -d' ' -f1)\"; else echo \"$p\tmissing\"; fi; done");
        CommandResult r = guest.sudo(script.toString());
        if (!r.succeeded()) {
            throw new HarnessException("cannot read the shipped files on " + guest.flavor().name() + ": " + r.describe());
        }
        Map<String, String> seen = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> {
            int tab = l.indexOf('\t');
            if (tab > 0) {
                seen.put(l.substring(0, tab), l.substring(tab + 1));
            }
        });
        return expected.stream().map(e -> new Seen(e.path(), seen.getOrDefault(e.path(), "unreported"))).toList();
    }

    /** Where what was seen differs from what was expected, one line each (empty: every file as the oracle says). */
    public static List<String> mismatches(List<Expected> expected, List<Seen> seen) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            Expected e = expected.get(i);
            String s = seen.get(i).content();
            boolean ok = e.visible() ? s.equals(e.content()) : e.content().equals("missing") ? s.equals("missing") : !s.equals(e.content());
            if (!ok) {
                out.add(e.path() + ": expected " + (e.visible() ? e.content() : e.content().equals("missing") ? "nothing"
                        : "not the author's " + e.content()) + " (" + e.why() + "), found " + s);
            }
        }
        return out;
    }

    /** The two lists as evidence files in the cell's directory. */
    public static void record(Path dir, List<Expected> expected, List<Seen> seen) {
        StringBuilder exp = new StringBuilder();
        expected.forEach(e -> exp.append(e.path()).append('\t').append(e.visible() ? e.content() : "not " + e.content())
                .append('\t').append(e.why()).append('\n'));
        StringBuilder obs = new StringBuilder();
        seen.forEach(s -> obs.append(s.path()).append('\t').append(s.content()).append('\n'));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("files-expected.txt"), exp);
            Files.writeString(dir.resolve("files-observed.txt"), obs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the file evidence in " + dir, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
