package dev.sysextharness.guest;

import dev.sysextharness.host.HarnessException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Several root scripts run at the same time in one command, each with its own stdout, stderr and exit status. Under
 * TCG a read of the node's state is mostly programs starting (each translated afresh in a restored QEMU), and a node
 * has two vCPUs: two such reads side by side take about as long as the longer one, where one after the other they take
 * both (measured on a restored debian-12 node: a cell's evidence and badness reads 0.64 s in a row, 0.48 s side by side).
 * Each script writes to files of its own, named by a token fresh for every command (a script left running by a command
 * that overran its timeout cannot write into the next one's), and one {@code cat} prints them all, each followed by
 * a marker line that carries the same token; then the files are removed.
 */
public final class SideBySide {
    /** Where a node's scripts write: root's own tmpfs, on every flavor. */
    static final String GUEST_DIR = "/run";

    private final List<String> scripts;
    private final String dir;
    private final String token = UUID.randomUUID().toString();

    /** The scripts to run side by side, writing their files under {@code dir}. */
    SideBySide(List<String> scripts, String dir) {
        if (scripts.isEmpty()) {
            throw new IllegalArgumentException("no script to run");
        }
        this.scripts = List.copyOf(scripts);
        this.dir = dir;
    }

    /** What one script printed and how it ended. */
    public record Part(String stdout, String stderr, int exitCode) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    String outEnd() {
        return "----- sysext-harness " + token + ": end of stdout -----";
    }

    String errEnd() {
        return "----- sysext-harness " + token + ": end of stderr, exit ";
    }

    /** The one command that runs the scripts side by side, prints what each did, in order, and removes its files. */
    String command() {
        StringBuilder s = new StringBuilder();
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < scripts.size(); i++) {
            String out = dir + "/sysext-harness-side-by-side-" + token + "." + i + ".out";
            String err = dir + "/sysext-harness-side-by-side-" + token + "." + i + ".err";
            // the script in a subshell of its own: an exit in it ends the script, not the markers after it; the ':'
            // keeps a script that is only a comment from leaving the subshell empty
            s.append("{ ( :\n").append(scripts.get(i)).append("\n) > ").append(out).append(" 2> ").append(err).append("; rc=$?; echo '")
                    .append(outEnd()).append("' >> ").append(out).append("; echo \"").append(errEnd()).append("$rc -----\" >> ")
                    .append(err).append("; } & ");
            files.append(' ').append(out).append(' ').append(err);
        }
        return s.append("wait; cat").append(files).append("; rm -f").append(files).toString();
    }

    /**
     * Splits what {@link #command} printed into the scripts' parts, byte for byte (a marker follows what its script
     * printed directly, a final newline or not); a part without its markers is an error of the harness.
     */
    List<Part> parts(String stdout, String where) {
        List<Part> parts = new ArrayList<>();
        String outEnd = outEnd() + "\n";
        String errEnd = errEnd();
        int at = 0;
        for (int i = 0; i < scripts.size(); i++) {
            int outAt = stdout.indexOf(outEnd, at);
            int errAt = outAt < 0 ? -1 : stdout.indexOf(errEnd, outAt);
            int lineEnd = errAt < 0 ? -1 : stdout.indexOf(" -----\n", errAt);
            String exit = lineEnd < 0 ? "" : stdout.substring(errAt + errEnd.length(), lineEnd);
            if (!exit.matches("\\d{1,3}")) {
                throw new HarnessException(where + ": script " + (i + 1) + " of " + scripts.size() + " run side by side printed no end"
                        + " marker (is " + dir + " writable?); the command printed: " + abbreviated(stdout));
            }
            parts.add(new Part(stdout.substring(at, outAt), stdout.substring(outAt + outEnd.length(), errAt), Integer.parseInt(exit)));
            at = lineEnd + " -----\n".length();
        }
        return parts;
    }

    private static String abbreviated(String s) {
        String one = s.strip().replace('\n', ' ');
        return one.length() > 200 ? one.substring(0, 200) + " …" : one;
    }
}
