package dev.sysextharness.guest;

import dev.sysextharness.host.HarnessException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several root scripts run at the same time in one command, each with its own stdout, stderr and exit status. Under
 * TCG a read of the node's state is mostly programs starting (each translated afresh in a restored QEMU), and a node
 * has two vCPUs: two such reads side by side take about as long as the longer one, where one after the other they take
 * both (measured on a restored debian-12 node: a cell's evidence and badness reads 0.64 s in a row, 0.48 s side by side).
 * Each script writes to its own files under /tmp, named by its place (the guest runs one command at a time, so the next
 * command overwrites them), and one {@code cat} prints them all, each followed by a marker line.
 */
public final class SideBySide {
    static final String FILE = "/tmp/sysext-harness-side-by-side.";
    static final String OUT_END = "----- sysext-harness: end of stdout -----";
    static final String ERR_END = "----- sysext-harness: end of stderr, exit ";

    private SideBySide() {
    }

    /** What one script printed and how it ended. */
    public record Part(String stdout, String stderr, int exitCode) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** The one command that runs {@code scripts} side by side and prints what each did, in order. */
    static String command(List<String> scripts) {
        if (scripts.isEmpty()) {
            throw new IllegalArgumentException("no script to run");
        }
        StringBuilder s = new StringBuilder();
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < scripts.size(); i++) {
            String out = FILE + i + ".out";
            String err = FILE + i + ".err";
            // the script in a subshell of its own: an exit in it ends the script, not the markers after it
            s.append("{ ( ").append(scripts.get(i)).append("\n) > ").append(out).append(" 2> ").append(err).append("; rc=$?; echo '")
                    .append(OUT_END).append("' >> ").append(out).append("; echo \"").append(ERR_END).append("$rc -----\" >> ")
                    .append(err).append("; } & ");
            files.append(' ').append(out).append(' ').append(err);
        }
        return s.append("wait; cat").append(files).toString();
    }

    /**
     * Splits what {@link #command} printed into the scripts' parts, byte for byte (a marker follows what its script
     * printed directly, a final newline or not); a part without its markers is an error of the harness.
     */
    static List<Part> parts(String stdout, int count, String where) {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < count; i++) {
            int outEnd = stdout.indexOf(OUT_END + "\n", at);
            int errEnd = outEnd < 0 ? -1 : stdout.indexOf(ERR_END, outEnd);
            int lineEnd = errEnd < 0 ? -1 : stdout.indexOf(" -----\n", errEnd);
            if (lineEnd < 0) {
                throw new HarnessException(where + ": script " + (i + 1) + " of " + count + " run side by side printed no end marker"
                        + " (is /tmp writable?); the command printed: " + abbreviated(stdout));
            }
            int errStart = outEnd + OUT_END.length() + 1;
            parts.add(new Part(stdout.substring(at, outEnd), stdout.substring(errStart, errEnd),
                    Integer.parseInt(stdout.substring(errEnd + ERR_END.length(), lineEnd))));
            at = lineEnd + " -----\n".length();
        }
        return parts;
    }

    private static String abbreviated(String s) {
        String one = s.strip().replace('\n', ' ');
        return one.length() > 200 ? one.substring(0, 200) + " …" : one;
    }
}
