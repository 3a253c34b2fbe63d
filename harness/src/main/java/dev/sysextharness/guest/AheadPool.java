package dev.sysextharness.guest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Things made ahead under a key, one at a time on one background thread, at most {@code capacity} kept: the oldest
 * is closed when another is asked for. What a taker gets is the oldest one made for its key (waiting for it while it
 * is being made), or why there is none. What nobody took is closed by {@link #close()}. {@link Spares} holds restores
 * in one.
 */
final class AheadPool<T extends AutoCloseable> implements AutoCloseable {
    /** One thing taken, or why there was none (nothing made ahead for the key, or the one made failed), and the wait. */
    record Taken<T>(T thing, String why, Duration waited) {
    }

    private record Pending<T>(String key, CompletableFuture<T> future) {
    }

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
            p = pending.stream().filter(x -> x.key().equals(key)).findFirst().orElse(null);
            if (p == null) {
                return new Taken<>(null, "none made ahead", Duration.ZERO);
            }
            pending.remove(p);
        }
        Instant from = Instant.now();
        try {
            return new Taken<>(p.future().get(), null, Duration.between(from, Instant.now()));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Taken<>(null, "the one made ahead failed: " + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""),
                    Duration.between(from, Instant.now()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeWhenMade(p);
            return new Taken<>(null, "interrupted while waiting for the one made ahead", Duration.between(from, Instant.now()));
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
            pending.addLast(new Pending<>(key, CompletableFuture.supplyAsync(maker, this.maker)));
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
            } catch (ExecutionException e) {
                // its taker is told
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Kept and not taken yet. */
    synchronized int size() {
        return pending.size();
    }

    private synchronized List<Pending<T>> snapshot() {
        return new ArrayList<>(pending);
    }

    /** Closes everything kept (what is still being made once it is); later requests make nothing. */
    @Override
    public void close() {
        List<Pending<T>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(pending);
            pending.clear();
        }
        all.forEach(AheadPool::closeWhenMade);
        maker.shutdown();
    }

    private static <T extends AutoCloseable> void closeWhenMade(Pending<T> p) {
        try {
            p.future().get().close();
        } catch (ExecutionException e) {
            // failed while being made: its maker closed what it had started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // closing a leftover: nothing a run could do about it
        }
    }
}
