package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pool behind restores made ahead ({@link Spares}): what a taker gets, what is closed, and when. */
class AheadPoolTest {
    /** Stands in for a paused QEMU: knows whether it was closed. */
    static final class Thing implements AutoCloseable {
        final String name;
        final AtomicBoolean closed = new AtomicBoolean();

        Thing(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void aKeyWithNothingMadeAheadIsTakenAsNoneWithTheReason() {
        try (AheadPool<Thing> pool = new AheadPool<>(2, "test")) {
            AheadPool.Taken<Thing> taken = pool.take("k");
            assertThat(taken.thing()).as("taken where nothing was made").isNull();
            assertThat(taken.why()).isEqualTo("none made ahead");
        }
    }

    @Test
    void whatWasMadeForAKeyIsTakenOnceAndNotClosed() {
        Thing a = new Thing("a");
        try (AheadPool<Thing> pool = new AheadPool<>(2, "test")) {
            pool.make("k", () -> a);
            pool.awaitMade();
            AheadPool.Taken<Thing> taken = pool.take("k");
            assertThat(taken.thing()).as("the thing made for k").isSameAs(a);
            assertThat(pool.take("k").thing()).as("a second take of k, one thing made").isNull();
            assertThat(pool.take("other").thing()).as("another key").isNull();
        }
        assertThat(a.closed).as("closed although a taker owns it").isFalse();
    }

    @Test
    void aTakerDoesNotWaitForOneStillBeingMadeWhichStaysForTheNext() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thing a = new Thing("a");
        try (AheadPool<Thing> pool = new AheadPool<>(1, "test")) {
            pool.make("k", () -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return a;
            });
            AheadPool.Taken<Thing> early = pool.take("k");
            assertThat(early.thing()).as("taken while being made").isNull();
            assertThat(early.why()).isEqualTo("the one made ahead was not ready yet");
            release.countDown();
            pool.awaitMade();
            assertThat(pool.take("k").thing()).as("the next take, once made").isSameAs(a);
        }
        assertThat(a.closed).as("closed although a taker owns it").isFalse();
    }

    @Test
    void aMakerThatFailedIsReportedToTheTakerWithItsMessage() {
        try (AheadPool<Thing> pool = new AheadPool<>(1, "test")) {
            pool.make("k", () -> {
                throw new IllegalStateException("QEMU exited at start\nsecond line");
            });
            pool.awaitMade();
            AheadPool.Taken<Thing> taken = pool.take("k");
            assertThat(taken.thing()).isNull();
            assertThat(taken.why()).isEqualTo("the one made ahead failed: QEMU exited at start");
        }
    }

    @Test
    void aFullPoolClosesItsOldestAndCloseClosesTheRest() {
        Thing a = new Thing("a");
        Thing b = new Thing("b");
        Thing c = new Thing("c");
        AheadPool<Thing> pool = new AheadPool<>(2, "test");
        pool.make("k1", () -> a);
        pool.make("k2", () -> b);
        pool.awaitMade(); // a made: its eviction closes it at once
        pool.make("k3", () -> c);
        pool.awaitMade();
        assertThat(a.closed).as("the oldest, evicted by the third").isTrue();
        assertThat(pool.take("k1").thing()).as("k1 after its eviction").isNull();
        assertThat(pool.size()).isEqualTo(2);
        assertThat(b.closed).isFalse();
        pool.close();
        assertThat(b.closed).as("kept, closed with the pool").isTrue();
        assertThat(c.closed).as("kept, closed with the pool").isTrue();
        Thing late = new Thing("late");
        pool.make("k4", () -> late);
        assertThat(pool.size()).as("made after close").isZero();
        assertThat(late.closed).as("never made, so never closed").isFalse();
    }

    @Test
    void aWaiterForWhatCloseDroppedUnstartedIsReleasedAndWhatWasMadeIsReturnedAsMade() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Thing a = new Thing("a");
        Thing queued = new Thing("queued");
        AheadPool<Thing> pool = new AheadPool<>(4, "test");
        pool.make("k", () -> {
            started.countDown();
            return a;
        });
        pool.awaitMade();
        assertThat(pool.made()).as("made and not taken").containsExactly(a);
        pool.make("k", () -> {
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until close interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Thing("interrupted");
        });
        pool.make("k", () -> queued);
        assertThat(pool.made()).as("those still being made or queued are not made").containsExactly(a);
        Thread waiter = new Thread(pool::awaitMade);
        waiter.start();
        org.awaitility.Awaitility.await("awaitMade waiting for the one being made").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> waiter.getState() == Thread.State.WAITING);
        pool.close();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).as("awaitMade still waiting for the one close dropped before it started").isFalse();
        assertThat(queued.closed).as("never made, so never closed").isFalse();
        assertThat(a.closed).as("made, closed with the pool").isTrue();
    }
}
