package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.host.HarnessException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scenario talks to in either lane: a booted {@link Node}, or a container of the flavor's userspace. Commands
 * run as the flavor's login user, without a login shell, and every one is recorded in the transcript.
 */
public interface Guest extends AutoCloseable {
    Flavor flavor();

    Lane lane();

    Transcript transcript();

    Path evidenceDir();

    /** The systemd release the guest runs (point release included): the oracle's version input. */
    SystemdVersion systemd();

    /** Runs a command as the login user, within the flavor's command timeout. */
    CommandResult run(String command);

    CommandResult run(String command, Duration timeout);

    /** Runs a shell snippet as root, within the flavor's command timeout; the transcript shows it as {@link #asSudo}. */
    CommandResult sudo(String script);

    /**
     * Runs root scripts side by side in one command ({@link SideBySide}) and returns what each printed, in order; one
     * script runs as {@link #sudo} does. A part that did not come back is a {@link HarnessException}.
     */
    default List<SideBySide.Part> sudoSideBySide(List<String> scripts) {
        if (scripts.size() == 1) {
            CommandResult r = sudo(scripts.get(0));
            return List.of(new SideBySide.Part(r.stdout(), r.stderr(), r.exitCode()));
        }
        SideBySide run = new SideBySide(scripts, SideBySide.GUEST_DIR);
        CommandResult r = sudo(run.command());
        return run.parts(r.stdout(), flavor().name() + " (" + lane().label() + "), see " + transcript().file());
    }

    /** SHA-256 fingerprints of the certificates the guest's firmware db holds (none: no UEFI firmware, or an empty db). */
    default java.util.Set<String> firmwareDb() {
        return java.util.Set.of();
    }

    /** Writes a systemd unit drop-in (or any unit file) at {@code path} as root and reloads the manager. */
    default void writeUnitFile(String path, String text) {
        sudoOk("mkdir -p \"$(dirname " + Node.shellQuote(path) + ")\" && printf '%s' " + Node.shellQuote(text) + " > "
                + Node.shellQuote(path) + " && systemctl daemon-reload");
    }

    /** Copies a host file to {@code guestPath} as root, readable by all; a failure is a set-up error. */
    void sendFile(Path file, String guestPath);

    /** Runs and requires exit 0; for set-up steps whose failure is not the behaviour under test. */
    default CommandResult sudoOk(String script) {
        CommandResult r = sudo(script);
        if (!r.succeeded()) {
            throw new HarnessException("set-up step failed on " + flavor().name() + " (" + lane().label() + "): " + r.describe()
                    + "; see " + transcript().file());
        }
        return r;
    }

    /** The mount at {@code path} as findmnt sees it, or null when {@code path} is not a mount point. */
    default Mount mount(String path) {
        return mounts(List.of(path)).get(path);
    }

    /** The top mount on each of {@code paths} that is a mount point, from one findmnt call. */
    default Map<String, Mount> mounts(List<String> paths) {
        CommandResult r = run(Mount.FINDMNT);
        if (!r.succeeded()) {
            throw new HarnessException("findmnt failed on " + flavor().name() + ": " + r.describe());
        }
        Map<String, Mount> all = Mount.parseAll(r.stdout());
        Map<String, Mount> wanted = new LinkedHashMap<>();
        for (String p : paths) {
            if (all.containsKey(p)) {
                wanted.put(p, all.get(p));
            }
        }
        return wanted;
    }

    @Override
    void close();

    /** The sudo command line that means the same as running {@code script} as root: what a person would paste. */
    static String asSudo(String script) {
        return script.matches("[A-Za-z0-9 _=./:,@%+-]+") ? "sudo " + script : "sudo sh -c " + Node.shellQuote(script);
    }
}
