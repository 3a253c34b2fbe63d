package dev.sysextharness.guest;

import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Restores made ahead: after a node is restored from a saved state, the next QEMU for the same state is started in
 * the background, its state loaded, and left paused, so that the next cell that asks for that state waits only for
 * {@code cont} and the readiness check. A paused QEMU runs no guest code and its guest clock stands still, so the
 * node a cell gets is the saved moment, as with a restore made on request; what moves off the cell's path is QEMU's
 * own start (a bare QEMU 7.2 start and quit: 0.11-0.14 s here), its QMP session and the device state load.
 * <p>
 * Made one at a time, at most {@code capacity} kept (the oldest is closed when another is made). Only a spare that
 * is finished is taken; a cell that finds none, or one that failed, restores on request and its transcript says why.
 * {@link #close()} ends every spare's QEMU and deletes its directory; its QEMU is an {@code OwnedProcesses} child
 * like every node's, so it ends with the JVM too (its directory then stays, named {@code .spare-…}).
 */
public final class Spares implements AutoCloseable {
    /** A QEMU started from a saved state, its state loaded, paused; how long each step took, for the taker's transcript. */
    record Loaded(Vm vm, int sshPort, String phases) implements AutoCloseable {
        /** Ends the QEMU of a spare nobody took and deletes its directory. */
        @Override
        public void close() {
            Path dir = vm.dir();
            vm.close();
            deleteTree(dir);
        }
    }

    /** Deletes a spare's directory and what is in it. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover spare directory costs disk, not correctness
        }
    }

    private final AheadPool<Loaded> pool;
    private final boolean lowPriority;

    public Spares(int capacity) {
        this.pool = new AheadPool<>(capacity, "sysext-harness-spare");
        this.lowPriority = canRaisePriority();
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

    /** Waits until every spare asked for so far is made (or failed): what a cell's own commands give the pool time for. */
    public void awaitMade() {
        pool.awaitMade();
    }

    /** Ends every spare (those still being made once they are) and deletes their directories. */
    @Override
    public void close() {
        pool.close();
    }

    /** A new directory for a spare in {@code parent} (beside the evidence directory of the node that asked: its filesystem). */
    static Path stagingDir(Path parent) {
        try {
            return Files.createTempDirectory(parent, ".spare-");
        } catch (IOException e) {
            throw new dev.sysextharness.host.HarnessException("cannot create a spare's directory in " + parent + ": " + e.getMessage(), e);
        }
    }
}
