package dev.sysextharness.guest;

import java.util.List;

/** The node's failed units as systemd lists them: one command and one reading, for readiness, the save and the badness scan. */
final class FailedUnits {
    /** One unit a line, its name first, no header or footer. */
    static final String LIST = "systemctl list-units --failed --no-legend --plain";

    private FailedUnits() {
    }

    /** The unit names in lines of {@link #LIST}'s output; blank lines are none. */
    static List<String> names(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }
}
