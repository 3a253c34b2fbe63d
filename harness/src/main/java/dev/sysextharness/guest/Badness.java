package dev.sysextharness.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Badness is a verdict too (kola's habit): after a cell, the node's kernel log is searched for oopses, BUG and WARNING
 * traces, panics and segfaults, its journal for core dumps and for errors systemd-sysext logged, and its units for
 * failures that were not there when it became ready. Whatever the cell's oracle predicted (a refresh it expected to
 * fail, the lines that prove why) does not count; anything else fails the cell, the matching lines as its evidence.
 */
public final class Badness {
    static final String KERNEL = "Oops|BUG:|WARNING: CPU|Kernel panic|general protection fault|segfault at|Call Trace";
    static final String SPLIT = "----- sysext-harness badness -----";
    /** Printed when systemctl cannot list the units: PID 1 (or its bus) did not answer, which is badness itself. */
    static final String NO_ANSWER = "sysext-harness: systemctl list-units failed with status";
    /** Printed when journalctl cannot read the journal (a query by fields that matches nothing still exits 0). */
    static final String NO_JOURNAL = "sysext-harness: journalctl failed with status";

    private Badness() {
    }

    /**
     * systemd-coredump's "Process … dumped core." (SD_MESSAGE_COREDUMP): found by the journal's index, not a scan.
     * systemd-coredump logs it at LOG_CRIT (its PRIORITY=2 in every version), so an error-or-worse read finds it.
     */
    static final String COREDUMP_MESSAGE_ID = "fc2e22bc6ee647b6b90729ab34a250b1";

    /** The names systemd-sysext logs under: itself, and its forked children. */
    static final List<String> SYSEXT_IDENTIFIERS = List.of("systemd-sysext", "(sd-merge)", "(sd-sysext)");

    /** A first line of {@code journalctl -o short-unix}: time, host, identifier with its pid, message. */
    private static final Pattern ENTRY = Pattern.compile("^\\S+ \\S+ ([^\\s\\[]+)(?:\\[\\d+\\])?:(?: (.*))?$");

    /**
     * The root command that gathers the three sections. It starts few programs — each costs about 0.04–0.1 s to start
     * under TCG — and reads the journal once, by its indexed fields only: systemd-sysext's errors and the core dumps,
     * told apart by the identifier on each entry's first line.
     */
    public static String command() {
        // the ring buffer, not journalctl -k: that leaves out what reached the kernel log through /dev/kmsg
        StringBuilder matches = new StringBuilder();
        SYSEXT_IDENTIFIERS.forEach(id -> matches.append(" 'SYSLOG_IDENTIFIER=").append(id).append("' +"));
        return "dmesg | grep -E '" + KERNEL + "'; echo '" + SPLIT + "';"
                + " " + FailedUnits.LIST + " || echo \"" + NO_ANSWER + " $?\"; echo '" + SPLIT + "';"
                + " journalctl -b -q -p err -o short-unix --no-pager" + matches + " MESSAGE_ID=" + COREDUMP_MESSAGE_ID
                + " || echo \"" + NO_JOURNAL + " $?\"";
    }

    /** What is wrong with the node after the cell, one line each; empty when nothing is. */
    public static List<String> scan(Node node) {
        return findings(node, node.sudo(command()).stdout());
    }

    /** What is wrong with the node after the cell, from what {@link #command()} printed there; empty when nothing is. */
    public static List<String> findings(Node node, String printed) {
        return findings(printed, node.ready().failedUnits(), node.transcript().predicted());
    }

    /**
     * What {@link #command()}'s output shows, less what was already wrong when the node became ready
     * ({@code failedAtReady}) and what the oracle predicted.
     */
    static List<String> findings(String stdout, List<String> failedAtReady, List<String> predicted) {
        String[] parts = (stdout + "\n").split(Pattern.quote(SPLIT) + "\n", -1);
        List<String> found = new ArrayList<>();
        section(parts, 0).forEach(l -> found.add("kernel: " + l));
        section(parts, 1).stream().filter(l -> l.startsWith(NO_ANSWER))
                .forEach(l -> found.add("systemd did not list its units (" + l.substring("sysext-harness: ".length()) + ")"));
        for (String unit : FailedUnits.names(section(parts, 1).stream().filter(l -> !l.startsWith(NO_ANSWER)).toList())) {
            if (!failedAtReady.contains(unit) && !predicted.contains("unit:" + unit)) {
                found.add("failed unit: " + unit);
            }
        }
        // an entry's later lines (a core dump's stack trace) are indented and match no first line: one finding per entry
        for (String line : (parts.length > 2 ? parts[2] : "").lines().toList()) {
            if (line.startsWith(NO_JOURNAL)) { // unread, the journal would pass for a clean one
                found.add("the journal could not be read (" + line.substring("sysext-harness: ".length()) + ")");
                continue;
            }
            Matcher entry = ENTRY.matcher(line);
            if (!entry.matches()) {
                continue;
            }
            String message = entry.group(2) == null ? "" : entry.group(2).strip();
            if (!SYSEXT_IDENTIFIERS.contains(entry.group(1))) {
                found.add("core dump: " + message); // only the core dump's MESSAGE_ID lets another identifier in
            } else if (predicted.stream().filter(p -> !p.startsWith("unit:")).noneMatch(p -> Pattern.compile(p).matcher(message).find())) {
                found.add("systemd-sysext error the oracle did not predict: " + message);
            }
        }
        return found;
    }

    private static List<String> section(String[] parts, int i) {
        return i < parts.length ? parts[i].lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
    }
}
