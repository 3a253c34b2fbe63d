package dev.sysextharness.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts every long-lived child process of the harness (QEMU, registry) so that it ends with the harness:
 * on normal exit and Ctrl-C through a shutdown hook, and on SIGKILL of the JVM through the kernel's
 * parent-death signal ({@code setpriv --pdeathsig}).
 *
 * <p>The parent-death signal fires when the <em>thread</em> that forked the child ends, so all children are
 * forked from one launcher thread that lives as long as the JVM.
 */
public final class OwnedProcesses {
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "owned-process-launcher");
        t.setDaemon(true);
        return t;
    });
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OwnedProcesses::endAll, "owned-process-reaper"));
    }

    private OwnedProcesses() {
    }

    /** Starts {@code command} as an owned child; it is killed if this JVM dies. */
    public static Process start(ProcessBuilder builder) {
        return launch(builder, List.of("setpriv", "--pdeathsig", "KILL", "--"));
    }

    /**
     * Starts a command that starts processes of its own and mounts things (an image build: mmdebstrap mounts
     * /proc, /sys and /dev/pts into its chroot). It runs as the first process of new PID and mount namespaces: when
     * it is killed — and it is, with this JVM — the kernel kills every process below it, and its mounts vanish with
     * the mount namespace instead of staying behind on the host, where deleting the build directory would walk
     * into them.
     */
    public static Process startTree(ProcessBuilder builder) {
        return launch(builder, List.of("setpriv", "--pdeathsig", "KILL", "--",
                "unshare", "--pid", "--mount", "--propagation", "private", "--fork", "--kill-child", "--"));
    }

    /**
     * Like {@link #startTree} for a daemon that runs containers (dockerd): its PID namespace also gets its own
     * /proc, since container runtimes look their children up there by the PIDs they see.
     */
    public static Process startDaemonTree(ProcessBuilder builder) {
        return launch(builder, List.of("setpriv", "--pdeathsig", "KILL", "--",
                "unshare", "--pid", "--mount", "--propagation", "private", "--fork", "--kill-child", "--mount-proc", "--"));
    }

    private static Process launch(ProcessBuilder builder, List<String> prefix) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(builder.command());
        ProcessBuilder wrapped = new ProcessBuilder(command)
                .directory(builder.directory())
                .redirectInput(builder.redirectInput())
                .redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError())
                .redirectErrorStream(builder.redirectErrorStream());
        wrapped.environment().clear();
        wrapped.environment().putAll(builder.environment());
        try {
            Process p = LAUNCHER.submit(wrapped::start).get();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            return p;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new HarnessException("cannot start " + builder.command().get(0) + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while starting " + builder.command().get(0), e);
        }
    }

    /** Ends one process: SIGTERM, then SIGKILL after {@code graceMillis}. */
    public static void end(Process p, long graceMillis) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void endAll() {
        for (Process p : List.copyOf(LIVE)) {
            end(p, 2000);
        }
    }

    /** Runs a short command to completion within a deadline, failing with its output on a non-zero exit. */
    public static String run(List<String> command, long timeoutSeconds) {
        try {
            Path log = Files.createTempFile("sysext-harness-cmd", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new HarnessException(String.join(" ", command) + ": no exit within " + timeoutSeconds + " s");
                }
                String text = Files.readString(log);
                if (p.exitValue() != 0) {
                    throw new HarnessException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text.strip());
                }
                return text;
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new HarnessException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running " + command.get(0), e);
        }
    }
}
