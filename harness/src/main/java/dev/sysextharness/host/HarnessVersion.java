package dev.sysextharness.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Which harness made a report: the Maven version the jar was built as, plus the checkout's git commit when the
 * checkout is a git one ({@code 0.1.0-SNAPSHOT+3f2a9c1}), so that two reports can be told apart by the code that
 * judged them.
 */
public final class HarnessVersion {
    private static volatile String current;

    private HarnessVersion() {
    }

    /** This harness's version, with the commit of the checkout it runs from when there is one; computed once. */
    public static String current() {
        String v = current;
        if (v == null) {
            v = of(checkout());
            current = v;
        }
        return v;
    }

    /** The built version with {@code checkout}'s commit appended; just the version when it has none (or is null). */
    public static String of(Path checkout) {
        String commit = checkout == null ? null : commit(checkout);
        return commit == null ? built() : built() + "+" + commit;
    }

    /** The version Maven filtered into version.properties; "unknown" when the class path has none (an IDE build). */
    static String built() {
        try (InputStream in = HarnessVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The short commit of {@code checkout}, or null when it is no git checkout or git cannot say within 5 s. */
    static String commit(Path checkout) {
        if (!Files.exists(checkout.resolve(".git"))) {
            return null;
        }
        try {
            String out = OwnedProcesses.run(List.of("git", "-C", checkout.toString(), "rev-parse", "--short", "HEAD"), 5).strip();
            return out.matches("[0-9a-f]{4,40}") ? out : null;
        } catch (HarnessException e) {
            return null; // no git installed, a broken checkout, or too slow: the version alone still names the build
        }
    }

    private static Path checkout() {
        try {
            return Workspace.locate(null).root();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
