package dev.sysextharness.guest;

import dev.sysextharness.host.HarnessException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A node left running for a person (boot --keep, run --keep, boot --from): a reboot inside it powers it on again
 * (QEMU runs with -no-reboot), until the person releases it or the node stops on its own.
 */
public final class KeepRunning {
    /** How often the wait looks at the release while QEMU runs: the latency of pressing Enter. */
    private static final Duration LOOK = Duration.ofMillis(250);

    private KeepRunning() {
    }

    /**
     * Completes when a line (Enter) is read from {@code in}; never on end of input, so a run without a terminal
     * (stdin from /dev/null) keeps its node until Ctrl-C, as boot --keep always did.
     */
    public static CompletableFuture<Void> enterOn(InputStream in) {
        CompletableFuture<Void> pressed = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                if (new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine() != null) {
                    pressed.complete(null);
                }
            } catch (IOException e) {
                // no terminal to read: only Ctrl-C ends the wait
            }
        }, "keep-running-stdin");
        reader.setDaemon(true);
        reader.start();
        return pressed;
    }

    static final String SIGNALLED = "stopped by a signal (Ctrl-C, SIGTERM); the node is stopped";

    /**
     * Keeps {@code node} running until {@code release} completes or the node stops (a power-off, a crash), then closes
     * it; Ctrl-C closes it through a shutdown hook. Prints how it ended, in a line, to {@code out}, and returns that
     * line. After a signal the hook prints it, once the node is closed: the main thread may never run again.
     */
    public static String until(Node node, CompletableFuture<?> release, PrintStream out) throws InterruptedException {
        AtomicBoolean signalled = new AtomicBoolean();
        AtomicBoolean told = new AtomicBoolean();
        Function<String, String> tell = line -> {
            if (told.compareAndSet(false, true)) {
                out.println(line);
                out.flush();
            }
            return line;
        };
        Thread onCtrlC = new Thread(() -> {
            signalled.set(true);
            node.close();
            tell.apply(SIGNALLED);
        }, "keep-running-close");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            long serialFrom = node.vm().serialSize();
            while (!release.isDone()) {
                if (!node.vm().waitForExit(LOOK)) {
                    continue;
                }
                try {
                    node.vm().powerOnAfterGuestReset(Duration.ofSeconds(5), serialFrom);
                } catch (HarnessException e) {
                    // the shutdown hook's own stop of QEMU is not a failed guest reboot; the hook says so itself
                    return signalled.get() ? SIGNALLED : tell.apply("the node stopped: " + e.getMessage().lines().findFirst().orElse(""));
                }
                serialFrom = node.vm().serialSize();
                out.println("the guest rebooted; QEMU powered it on again (pid " + node.vm().pid() + ")");
            }
            node.close();
            return tell.apply("released; the node is stopped");
        } finally {
            node.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }
}
