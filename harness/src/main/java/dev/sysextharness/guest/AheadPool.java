package dev.sysextharness.guest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Things made ahead under a key, one at a time on one background thread, at most {@code capacity} kept: the oldest
 * is closed when another is asked for. A taker gets the oldest one made for its key, if it is finished: one still
 * being made stays for the next taker (waiting for it could cost more than making the taker's own, since it may be
 * queued behind another or made at a low priority), and the taker is told why it got none. Neither a take nor an
 * eviction waits for a thing being made: what is evicted is closed when it is made. {@link #close()} drops what was
 * not started and waits for the one being made, to close it. {@link Spares} holds restores in one.
 */
final class AheadPool<T extends AutoCloseable> implements AutoCloseable {
    /** One thing taken, or why there was none (nothing made ahead for the key, still being made, or failed). */
    record Taken<T>(T thing, String why) {
    }

    private record Pending<T>(String key, CompletableFuture<T> future) {
    }

    /** One thing being made on the maker thread, finishing its future either way. */
    private record Making<T>(Supplier<T> maker, CompletableFuture<T> future) implements Runnable {
        @Override
        public void run() {
            try {
                future.complete(maker.get());
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            }
        }
    }

    /** How long {@link #close()} waits for the thing being made, to close it (a QEMU and its state load: seconds). */
    private static final long CLOSE_WAIT_SECONDS = 120;

    private final int capacity;
    private final Deque<Pending<T>> pending = new ArrayDeque<>();
    private final ExecutorService maker;
    private boolean closed;

    AheadPool(int capacity, String threadName) {
        if (capacity < 1) {
            throw new IllegalArgumentException("made ahead: expected a capacity of at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.maker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    Taken<T> take(String key) {
        Pending<T> p;
        synchronized (this) {
            List<Pending<T>> forKey = pending.stream().filter(x -> x.key().equals(key)).toList();
            if (forKey.isEmpty()) {
                return new Taken<>(null, "none made ahead");
            }
            p = forKey.stream().filter(x -> x.future().isDone()).findFirst().orElse(null);
            if (p == null) {
                return new Taken<>(null, "the one made ahead was not ready yet");
            }
            pending.remove(p);
        }
        try {
            return new Taken<>(p.future().join(), null);
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Taken<>(null, "the one made ahead failed: " + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /** Makes one for {@code key} in the background; the oldest kept one is closed if the pool is full. After close: nothing. */
    void make(String key, Supplier<T> maker) {
        Pending<T> evicted = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (pending.size() >= capacity) {
                evicted = pending.removeFirst();
            }
            CompletableFuture<T> future = new CompletableFuture<>();
            this.maker.execute(new Making<>(maker, future));
            pending.addLast(new Pending<>(key, future));
        }
        if (evicted != null) {
            closeWhenMade(evicted);
        }
    }

    /** Waits until everything asked for so far is made (or failed). */
    void awaitMade() {
        for (Pending<T> p : snapshot()) {
            try {
                p.future().get();
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // its taker is told; or dropped by close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What is kept, made and not failed, not taken yet. */
    List<T> made() {
        return snapshot().stream().filter(p -> p.future().isDone() && !p.future().isCompletedExceptionally())
                .map(p -> p.future().join()).toList();
    }

    /** Kept and not taken yet. */
    synchronized int size() {
        return pending.size();
    }

    private synchronized List<Pending<T>> snapshot() {
        return new ArrayList<>(pending);
    }

    /**
     * Closes everything kept; later requests make nothing, and those not started are dropped. Waits (at most
     * {@link #CLOSE_WAIT_SECONDS}) for the thing being made, which is closed as it is finished (or, interrupted, cleans
     * up after itself).
     */
    @Override
    public void close() {
        List<Pending<T>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(pending);
            pending.clear();
        }
        all.forEach(AheadPool::closeWhenMade);
        for (Runnable dropped : maker.shutdownNow()) {
            // never started: failed, so that whoever waits for it (awaitMade) does not wait forever
            ((Making<?>) dropped).future().completeExceptionally(new java.util.concurrent.CancellationException("the pool was closed"));
        }
        try {
            maker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes {@code p}'s thing once it is made, in the thread that finishes it (now, if it is finished); a failed one has nothing to close. */
    private static <T extends AutoCloseable> void closeWhenMade(Pending<T> p) {
        p.future().whenComplete((thing, failure) -> {
            if (thing != null) {
                try {
                    thing.close();
                } catch (Exception e) {
                    // closing a leftover: nothing a run could do about it
                }
            }
        });
    }
}
