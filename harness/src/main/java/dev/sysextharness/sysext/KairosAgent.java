package dev.sysextharness.sysext;

import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Node;
import dev.sysextharness.sysext.KairosExtensionLinks.State;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code kairos-agent sysext} on a Kairos node, as root, each command recorded with how it ended; and what
 * /run/extensions holds, read back for comparison with {@link KairosExtensionLinks}. The command lines are the agent's
 * own (v2.26.0, {@code main.go}): a name is a regular expression matched against the file names, the first match
 * wins, so the harness passes the exact file name anchored and escaped.
 */
public final class KairosAgent {
    private final Node node;

    public KairosAgent(Node node) {
        this.node = node;
    }

    /** {@code kairos-agent sysext install URI} (file:///path, oci:registry/name:tag, http(s)://…). */
    public static String installCommand(String uri) {
        if (!uri.matches("(file|oci|https?):\\S+")) {
            throw new IllegalArgumentException("kairos-agent installs from file:, oci: or http(s): URIs, not '" + uri + "'");
        }
        return "kairos-agent sysext install " + Node.shellQuote(uri);
    }

    public static String enableCommand(State state, String fileName, boolean now) {
        return "kairos-agent sysext enable " + state.flag() + (now ? " --now " : " ") + exactly(fileName);
    }

    public static String disableCommand(State state, String fileName, boolean now) {
        return "kairos-agent sysext disable " + state.flag() + (now ? " --now " : " ") + exactly(fileName);
    }

    public static String removeCommand(String fileName, boolean now) {
        return "kairos-agent sysext remove" + (now ? " --now " : " ") + exactly(fileName);
    }

    /** {@code list} of a state's directory, or of the installed images with {@code state} null. */
    public static String listCommand(State state) {
        return "kairos-agent sysext list" + (state == null ? "" : " " + state.flag());
    }

    /** The regular expression matching only {@code fileName} (escaped as Go's regexp.QuoteMeta does), shell-quoted. */
    static String exactly(String fileName) {
        if (fileName.isEmpty() || fileName.contains("/")) {
            throw new IllegalArgumentException("not an image file name: '" + fileName + "'");
        }
        return Node.shellQuote("^" + fileName.replaceAll("[\\\\.+*?()|\\[\\]{}^$]", "\\\\$0") + "$");
    }

    public CommandResult install(String uri) {
        return observed("install", node.sudo(installCommand(uri)));
    }

    public CommandResult enable(State state, String fileName, boolean now) {
        return observed("enable " + state.text() + (now ? " --now" : ""), node.sudo(enableCommand(state, fileName, now)));
    }

    public CommandResult disable(State state, String fileName, boolean now) {
        return observed("disable " + state.text() + (now ? " --now" : ""), node.sudo(disableCommand(state, fileName, now)));
    }

    public CommandResult remove(String fileName, boolean now) {
        return observed("remove" + (now ? " --now" : ""), node.sudo(removeCommand(fileName, now)));
    }

    private CommandResult observed(String what, CommandResult r) {
        node.transcript().observe("kairos-agent sysext " + what + ": exit " + r.exitCode());
        return r;
    }

    /** /run/extensions now: entry → where its symlink points (a regular file or directory maps to itself). */
    public Map<String, String> runExtensions() {
        CommandResult r = node.sudoOk("cd " + KairosExtensionLinks.RUN + " 2>/dev/null || exit 0; for e in * ; do [ -e \"$e\" ] || [ -L \"$e\" ] || continue;"
                + " if [ -L \"$e\" ]; then printf '%s\\t%s\\n' \"$e\" \"$(readlink \"$e\")\"; else printf '%s\\t%s\\n' \"$e\" \"$PWD/$e\"; fi; done");
        Map<String, String> entries = new TreeMap<>();
        r.stdout().lines().filter(l -> l.contains("\t")).forEach(l -> entries.put(l.substring(0, l.indexOf('\t')), l.substring(l.indexOf('\t') + 1)));
        node.transcript().observe(KairosExtensionLinks.RUN + ": " + entries);
        return entries;
    }
}
