package dev.sysextharness.sysext;

import dev.sysextharness.flavor.ImmucoreRelease;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle of {@code kairos-agent sysext} and of immucore's boot-time links, as files: which images are installed in
 * /var/lib/kairos/extensions, which are enabled per boot state (a symlink in that state's directory), and what
 * /run/extensions — the directory systemd-sysext reads them from — holds and where each entry leads. Every operation
 * follows kairos-agent's {@code pkg/action/sysext.go} (v2.26.0; {@code agent/pkg/action/} in kairos-io/kairos today)
 * and immucore's {@code EnableSysExtensions} step as read from their code (Kairos v3.7.x: kairos-agent v2.26.0, immucore
 * v0.12.0); a scenario compares each prediction with the links it reads on the node. What systemd-sysext then merges is {@link MergeOracle}'s part.
 */
public final class KairosExtensionLinks {
    /** Where kairos-agent keeps installed images; the state directories are below it. */
    public static final String STORE = "/var/lib/kairos/extensions";
    public static final String RUN = "/run/extensions";

    /** A directory of enabled images: one per boot state, and common/ for every state. */
    public enum State {
        ACTIVE, PASSIVE, RECOVERY, COMMON;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public String flag() {
            return "--" + text();
        }

        public String dir() {
            return STORE + "/" + text();
        }
    }

    /** How one kairos-agent command ends: its exit status and, when it restarts the service, that it does. */
    public record Outcome(boolean succeeds, boolean restartsService, String why) {
        static Outcome ok(String why) {
            return new Outcome(true, false, why);
        }

        static Outcome restarting(String why) {
            return new Outcome(true, true, why);
        }

        static Outcome fails(String why) {
            return new Outcome(false, false, why);
        }

        public String describe() {
            return (succeeds ? "exits 0" : "exits non-zero") + (restartsService ? " and restarts systemd-sysext" : "") + ": " + why;
        }
    }

    private final ImmucoreRelease immucore;
    private final State booted;
    private final Set<String> installed = new TreeSet<>();
    private final Set<State> dirs = java.util.EnumSet.noneOf(State.class);
    private final Map<State, Set<String>> enabled = new EnumMap<>(State.class);
    private final Map<String, String> run = new TreeMap<>();

    /** A node booted into {@code booted} (active, passive or recovery) with nothing installed. */
    public KairosExtensionLinks(ImmucoreRelease immucore, State booted) {
        if (booted == State.COMMON) {
            throw new IllegalArgumentException("common is not a boot state");
        }
        this.immucore = immucore;
        this.booted = booted;
        for (State s : State.values()) {
            enabled.put(s, new TreeSet<>());
        }
    }

    /**
     * {@code install file:…|oci:…}: the image lands in the store (an OCI image: its files, here one NAME.raw). The agent
     * copies any file, but lists — and so enables and removes — only {@code *.raw} files: the model takes only those.
     */
    public Outcome install(String fileName) {
        if (!fileName.endsWith(".raw") || fileName.contains("/")) {
            throw new IllegalArgumentException("the agent lists only NAME.raw files in " + STORE + ": " + fileName);
        }
        installed.add(fileName);
        return Outcome.ok(fileName + " copied into " + STORE);
    }

    /** {@code list STATE}: creates the state's directory if it is missing (which decides whether a later disable fails). */
    public Outcome list(State state) {
        dirs.add(state);
        return Outcome.ok("lists " + enabled.get(state));
    }

    /**
     * {@code enable STATE [--now] NAME}: a symlink STATE_DIR/NAME → STORE/NAME. With --now, and only if the node is booted
     * into that state or the state is common, also /run/extensions/NAME → STATE_DIR/NAME and a service restart; an
     * image already enabled there is left alone (and --now then does nothing).
     */
    public Outcome enable(State state, String fileName, boolean now) {
        if (!installed.contains(fileName)) {
            return Outcome.fails("system extension " + fileName + " not found (not installed)");
        }
        dirs.add(state);
        if (!enabled.get(state).add(fileName)) {
            return Outcome.ok(fileName + " is already enabled in " + state.text() + (now ? "; --now does nothing then" : ""));
        }
        String linked = "linked as " + state.dir() + "/" + fileName;
        if (!now) {
            return Outcome.ok(linked + "; without --now nothing else happens until the next boot");
        }
        if (state != booted && state != State.COMMON) {
            return Outcome.ok(linked + "; --now links nothing, the node is booted into " + booted.text() + ", not " + state.text());
        }
        if (run.containsKey(fileName)) {
            return Outcome.fails(linked + ", but " + RUN + "/" + fileName + " exists already (symlink: file exists)");
        }
        run.put(fileName, state.dir() + "/" + fileName);
        return Outcome.restarting(linked + " and " + RUN + "/" + fileName + " → " + state.dir() + "/" + fileName);
    }

    /**
     * {@code disable STATE [--now] NAME}: removes STATE_DIR/NAME; with --now, in the booted state or common, also
     * /run/extensions/NAME (if it is there) and restarts the service. A state directory that never existed is an error.
     */
    public Outcome disable(State state, String fileName, boolean now) {
        if (!dirs.contains(state)) {
            return Outcome.fails("target dir " + state.dir() + " does not exist");
        }
        if (!enabled.get(state).remove(fileName)) {
            return Outcome.ok(fileName + " is not enabled in " + state.text() + "; nothing to do");
        }
        String removed = state.dir() + "/" + fileName + " removed";
        if (!now) {
            return Outcome.ok(removed + (run.containsKey(fileName) ? "; without --now " + RUN + "/" + fileName + " stays, leading"
                    + " nowhere: what is merged stays until the service runs again (a refresh, another --now, the next boot)" : ""));
        }
        if (state != booted && state != State.COMMON) {
            return Outcome.ok(removed + "; --now does nothing, the node is booted into " + booted.text());
        }
        if (run.remove(fileName) == null) {
            return Outcome.ok(removed + "; " + RUN + "/" + fileName + " is not there, no restart");
        }
        return Outcome.restarting(removed + " and " + RUN + "/" + fileName + " removed");
    }

    /**
     * {@code remove [--now] NAME}: every state's link and the image itself; with --now also /run/extensions/NAME and a
     * restart. Without --now, /run/extensions/NAME is left pointing at what no longer exists.
     */
    public Outcome remove(String fileName, boolean now) {
        if (!installed.contains(fileName)) {
            return Outcome.fails("system extension " + fileName + " not found (not installed)");
        }
        dirs.addAll(List.of(State.values())); // remove lists every state, which creates its directory
        enabled.values().forEach(s -> s.remove(fileName));
        installed.remove(fileName);
        String removed = fileName + " and its links removed from " + STORE;
        if (!now) {
            return Outcome.ok(removed + (run.containsKey(fileName) ? "; " + RUN + "/" + fileName + " is left dangling" : ""));
        }
        if (run.remove(fileName) == null) {
            return Outcome.ok(removed + "; " + RUN + "/" + fileName + " is not there, no restart");
        }
        return Outcome.restarting(removed + " and " + RUN + "/" + fileName + " removed");
    }

    /**
     * What immucore did at a boot: the links it made, in order, and the entry it stopped at (null when none). It stops at
     * the first name that is already in /run/extensions: it runs in the initramfs, where its own links (to final-root
     * paths) lead nowhere, so its "already enabled" check never holds, the symlink fails with "file exists", and the
     * step ends there.
     */
    public record Relinked(List<String> links, String stoppedAt) {
        public String describe() {
            return (links.isEmpty() ? "links nothing" : "links " + String.join(", ", links))
                    + (stoppedAt == null ? "" : ", then stops at " + stoppedAt + " (symlink: file exists) and links nothing after it");
        }
    }

    /**
     * A reboot into the same state: /run is empty again; immucore links the booted state's {@code *.raw} entries, then
     * common's, in name order, each through the booted state's directory before immucore v0.13.0
     * ({@link ImmucoreRelease#linksCommonThroughStateDir()}), else through common/. Read from immucore's code (v0.12.0
     * and the fix after it), not yet seen on a Kairos node.
     */
    public Relinked reboot() {
        run.clear();
        List<String> linked = new ArrayList<>();
        List<String[]> entries = new ArrayList<>();
        enabled.get(booted).forEach(n -> entries.add(new String[] {n, booted.dir()}));
        enabled.get(State.COMMON).forEach(n -> entries.add(new String[] {n,
                immucore.linksCommonThroughStateDir() ? booted.dir() : State.COMMON.dir()}));
        for (String[] e : entries) {
            String name = e[0];
            if (run.containsKey(name)) {
                return new Relinked(linked, RUN + "/" + name);
            }
            run.put(name, e[1] + "/" + name);
            linked.add(RUN + "/" + name + " → " + e[1] + "/" + name);
        }
        return new Relinked(linked, null);
    }

    /** /run/extensions as the node should show it: entry → link target. */
    public Map<String, String> runExtensions() {
        return Map.copyOf(run);
    }

    /** The /run/extensions entries whose chain of links ends at an installed image: what systemd-sysext can open. */
    public Set<String> resolving() {
        Set<String> out = new LinkedHashSet<>();
        run.forEach((name, target) -> {
            if (resolves(target)) {
                out.add(name);
            }
        });
        return out;
    }

    /** The /run/extensions entries that lead nowhere. */
    public Set<String> dangling() {
        Set<String> out = new LinkedHashSet<>(run.keySet());
        out.removeAll(resolving());
        return out;
    }

    /** STATE_DIR/NAME → the image as long as the state enables it and it is installed; STORE/NAME itself if installed. */
    private boolean resolves(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        String dir = path.substring(0, path.lastIndexOf('/'));
        if (dir.equals(STORE)) {
            return installed.contains(name);
        }
        for (State s : State.values()) {
            if (dir.equals(s.dir())) {
                return enabled.get(s).contains(name) && installed.contains(name);
            }
        }
        return false;
    }

    /** The names enabled in a state's directory. */
    public Set<String> enabledIn(State state) {
        return Set.copyOf(enabled.get(state));
    }

    public Set<String> installed() {
        return Set.copyOf(installed);
    }
}
