package dev.sysextharness.guest;

import java.util.ArrayList;
import java.util.List;
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

    private Badness() {
    }

    /** systemd-coredump's "Process … dumped core." (SD_MESSAGE_COREDUMP): found by the journal's index, not a scan. */
    static final String COREDUMP_MESSAGE_ID = "fc2e22bc6ee647b6b90729ab34a250b1";

    /**
     * The root command that gathers the four sections. It starts few programs — each is translated afresh in a
     * restored QEMU under TCG — and reads the journal by its indexed fields only.
     */
    static String command() {
        // the ring buffer, not journalctl -k: that leaves out what reached the kernel log through /dev/kmsg
        return "dmesg | grep -E '" + KERNEL + "'; echo '" + SPLIT + "';"
                + " " + FailedUnits.LIST + " || echo \"" + NO_ANSWER + " $?\"; echo '" + SPLIT + "';"
                + " journalctl -b -p err -o cat --no-pager SYSLOG_IDENTIFIER=systemd-sysext + 'SYSLOG_IDENTIFIER=(sd-merge)'"
                + " + 'SYSLOG_IDENTIFIER=(sd-sysext)'; echo '" + SPLIT + "';"
                + " journalctl -b -o cat --no-pager MESSAGE_ID=" + COREDUMP_MESSAGE_ID + "; true";
    }

    /** What is wrong with the node after the cell, one line each; empty when nothing is. */
    public static List<String> scan(Node node) {
        return findings(node.sudo(command()).stdout(), node.ready().failedUnits(), node.transcript().predicted());
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
        for (String line : section(parts, 2)) {
            if (predicted.stream().filter(p -> !p.startsWith("unit:")).noneMatch(p -> Pattern.compile(p).matcher(line).find())) {
                found.add("systemd-sysext error the oracle did not predict: " + line);
            }
        }
        // -o cat prints systemd-coredump's whole message, its stack trace included: one finding per dump
        section(parts, 3).stream().filter(l -> l.contains("dumped core")).forEach(l -> found.add("core dump: " + l));
        return found;
    }

    private static List<String> section(String[] parts, int i) {
        return i < parts.length ? parts[i].lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
    }
}
