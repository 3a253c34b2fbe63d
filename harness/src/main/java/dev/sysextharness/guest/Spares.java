package dev.sysextharness.guest;

import dev.sysextharness.host.Durations;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Restores made ahead: after a node is restored from a saved state, the next QEMU for the same state is started in
 * the background, its state loaded and left paused, so that the next cell that asks for that state waits only for
 * {@code cont} and the readiness check. What moves off the cell's path is QEMU's own start (a bare QEMU 7.2 start and
 * quit: 0.11-0.14 s here), its QMP session and the device state load.
 * <p>
 * Once loaded, a spare's readiness is checked ahead too, on a thread of its own: resumed, the same check as the
 * taker's over the saved root shell, then paused again. The first commands of a restored QEMU under TCG are its
 * slowest, their translations made afresh, and a pause keeps them, so the check at the take runs warm. A cell that
 * takes a spare whose check is still running puts it back at the normal priority and waits for it: that check is the
 * one the cell would otherwise run cold itself. A paused QEMU runs no guest code and its guest clock stands still, so
 * the node a cell gets is the saved moment and that one check, its clock stepped again at the take. The spare's
 * transcript goes with it to the cell that takes it.
 * <p>
 * Made one at a time, at most {@code capacity} kept (the oldest is closed when another is made). Only a spare that
 * is loaded is taken; a cell that finds none, or one that failed, restores on request and its transcript says why.
 * {@link #close()} ends every spare's QEMU and deletes its directory; its QEMU is an {@code OwnedProcesses} child
 * like every node's, so it ends with the JVM too (its directory then stays, named {@code .spare-…}).
 */
public final class Spares implements AutoCloseable {
    /** A spare's readiness checked ahead: its saved root shell, attached, and how long the check took. */
    record Checked(SerialShell root, String phases) {
    }

    /**
     * A spare's readiness check ahead: queued until the loads asked for before it are made, then run, unless a cell
     * took the spare first ({@link #claim}); its result null where it was not run.
     */
    static final class Ahead {
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<Checked> result = new CompletableFuture<>();

        /** Whether this caller is the first to claim it: the check, to run, or the taker, to skip a check not started. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        CompletableFuture<Checked> result() {
            return result;
        }
    }

    /**
     * A QEMU started from a saved state, its state loaded; how long each step took, for the taker's transcript. A
     * spare is paused, or running its readiness check ahead ({@code ahead}); once taken, {@code root} is the saved
     * root shell that check attached (null where none ran, as in a restore on request).
     */
    record Loaded(Vm vm, int sshPort, String phases, Ahead ahead, SerialShell root) implements AutoCloseable {
        /**
         * The spare in {@code dir}, a cell's evidence directory (see {@link Vm#takenInto}), at the normal priority. A
         * check ahead that has not started is skipped: the taker checks cold, as after a restore on request, instead of
         * waiting for the loads before it. One that runs goes on at the normal priority and is waited for (at most
         * {@code deadline}): what is left of it is less than a check of the taker's own. A check that failed fails the take.
         */
        Loaded takenInto(Path dir, Duration deadline) {
            Instant asked = Instant.now();
            vm.atNormalPriority();
            if (ahead == null || ahead.claim()) {
                return new Loaded(vm.takenInto(dir), sshPort, phases + (ahead == null ? "" : ", its readiness check ahead not"
                        + " started (checked here instead)"), null, null);
            }
            boolean running = !ahead.result().isDone();
            Checked checked = checked(deadline);
            String waited = running ? String.format(" (taken while it ran; done %.2f s later)", Durations.seconds(asked, Instant.now())) : "";
            return new Loaded(vm.takenInto(dir), sshPort, phases + ", " + checked.phases() + waited, null, checked.root());
        }

        private Checked checked(Duration deadline) {
            try {
                return ahead.result().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new HarnessException("its readiness check ahead failed: " + String.valueOf(e.getCause().getMessage()).lines()
                        .findFirst().orElse(""), e.getCause());
            } catch (TimeoutException e) {
                throw new HarnessException("its readiness check ahead did not finish within " + deadline.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HarnessException("interrupted while its readiness check ahead ran");
            }
        }

        /**
         * Ends the QEMU of a spare nobody took and deletes its directory; where its check ahead runs (it fails at once
         * without its QEMU), once it has ended, so that nothing writes into the directory after it is deleted.
         */
        @Override
        public void close() {
            Path dir = vm.dir();
            vm.close();
            if (root != null) {
                root.close();
            }
            if (ahead == null) {
                deleteTree(dir);
                return;
            }
            ahead.claim(); // one not started now never runs
            ahead.result().whenComplete((checked, failure) -> {
                if (checked != null) {
                    checked.root().close();
                }
                deleteTree(dir);
            });
        }
    }

    /** How long {@link #close()} waits for the checks ahead still queued or running (each fails at once without its QEMU). */
    private static final long CLOSE_CHECKS_SECONDS = 30;

    /** Deletes a spare's directory and what is in it. */
    static void deleteTree(Path dir) {
        try {
            dev.sysextharness.host.Trees.delete(dir);
        } catch (IOException e) {
            // a leftover spare directory costs disk, not correctness
        }
    }

    private final AheadPool<Loaded> pool;
    private final boolean lowPriority;

    /** One check ahead at a time, on its own thread: the loads are made on the pool's. */
    private final ExecutorService checks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sysext-harness-spare-check");
        t.setDaemon(true);
        return t;
    });

    public Spares(int capacity) {
        this.pool = new AheadPool<>(capacity, "sysext-harness-spare");
        this.lowPriority = canRaisePriority();
    }

    /**
     * Runs a spare's readiness check ahead on the checks' thread, once every load asked for so far is finished (a load
     * is what lets the next cell take a spare at all, a check only makes its readiness faster, and both take CPU the
     * running nodes leave idle), unless the spare was taken first.
     */
    Ahead checkAhead(Vm vm, Supplier<Checked> check) {
        Ahead ahead = new Ahead();
        checks.execute(() -> {
            try {
                pool.awaitMade();
                if (!ahead.claim()) {
                    ahead.result().complete(null); // taken (or closed) first: not checked ahead
                } else if (!vm.isAlive()) {
                    throw new HarnessException("its QEMU ended before its readiness check ahead");
                } else {
                    ahead.result().complete(check.get());
                }
            } catch (RuntimeException | Error e) {
                ahead.result().completeExceptionally(e);
            }
        });
        return ahead;
    }

    /**
     * Whether a spare can run at nice 19 and be put back at 0 when taken: lowering a nice value needs CAP_SYS_NICE
     * (root has it, root in a container may not). Without it spares run at the normal priority.
     */
    private static boolean canRaisePriority() {
        try {
            OwnedProcesses.run(List.of("nice", "-n", "19", "sh", "-c", "renice -n 0 -p $$ >/dev/null"), 10);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether spares start at nice 19 (see {@link Vm#startAhead}). */
    boolean lowPriority() {
        return lowPriority;
    }

    AheadPool.Taken<Loaded> take(String key) {
        return pool.take(key);
    }

    void make(String key, Supplier<Loaded> load) {
        pool.make(key, load);
    }

    /**
     * Waits until every spare asked for so far is made (or failed), its readiness checked ahead: what a cell's own
     * commands give the pool time for.
     */
    public void awaitMade() {
        pool.awaitMade();
        for (Loaded spare : pool.made()) {
            if (spare.ahead() != null) {
                spare.ahead().result().exceptionally(e -> null).join();
            }
        }
    }

    /** Ends every spare (those still being made once they are) and deletes their directories. */
    @Override
    public void close() {
        pool.close();
        checks.shutdown();
        try {
            checks.awaitTermination(CLOSE_CHECKS_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new directory for a spare in {@code parent} (beside the evidence directory of the node that asked: its filesystem). */
    static Path stagingDir(Path parent) {
        try {
            return Files.createTempDirectory(parent, ".spare-");
        } catch (IOException e) {
            throw new HarnessException("cannot create a spare's directory in " + parent + ": " + e.getMessage(), e);
        }
    }
}
