package dev.sysextharness.vm;

import java.util.List;
import java.util.Optional;

/**
 * Reads a guest's serial console for the kernel's own word that it is dead: "Kernel panic - not syncing". The
 * reference kernels boot without {@code panic=}, so a panicked guest hangs with QEMU still running, and only its
 * console tells a waiter that no SSH banner, channel answer or reset will ever come. An Oops alone is not death
 * (the kernel may kill the task and go on); it is named as the panic's cause when one precedes it.
 */
public final class KernelDeath {
    static final String PANIC = "Kernel panic - not syncing";
    private static final List<String> CAUSES = List.of("Oops:", "BUG:", "general protection fault");

    private KernelDeath() {
    }

    /** The panic line (from its marker on), with the first Oops/BUG line before it (and its RIP) as its cause; empty if none. */
    public static Optional<String> in(String console) {
        List<String> lines = console.replace("\r", "").replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int at = line.indexOf(PANIC);
            // the kernel closes the panic with "---[ end Kernel panic - not syncing: … ]---"; the first mention leads
            if (at < 0) {
                continue;
            }
            String panic = line.substring(at).strip();
            for (int j = 0; j < i; j++) {
                String cause = causeIn(lines.get(j));
                if (cause != null) {
                    String where = lines.subList(j + 1, i).stream().filter(l -> l.contains("RIP:")).findFirst()
                            .map(l -> " at " + l.substring(l.indexOf("RIP:") + 4).strip()).orElse("");
                    return Optional.of(panic + " (after '" + cause + "'" + where + ")");
                }
            }
            return Optional.of(panic);
        }
        return Optional.empty();
    }

    private static String causeIn(String line) {
        for (String c : CAUSES) {
            int at = line.indexOf(c);
            if (at >= 0) {
                return line.substring(at).strip();
            }
        }
        return null;
    }
}
