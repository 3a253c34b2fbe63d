package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the soak counts as left behind, with real processes: a stray child is counted; the engine's process tree
 * (here a shell standing for {@code unshare}, with a child standing for dockerd) is not, whatever it is called.
 */
class SoakLeftProcessesTest {
    @Test
    void aStrayChildIsLeftButTheEnginesTreeIsNot() throws IOException, InterruptedException {
        Process engine = new ProcessBuilder("sh", "-c", "sleep 60 & wait").start();
        Process stray = new ProcessBuilder("sleep", "60").start();
        try {
            // the engine's child exists once the shell has forked it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.toHandle().descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(engine.toHandle().descendants().count()).as("the stand-in engine's child").isEqualTo(1);

            List<String> left = SoakCommand.leftProcesses(ProcessHandle.current(), Optional.of(engine.toHandle()));
            assertThat(left).as("left with the engine kept").anyMatch(l -> l.startsWith(stray.pid() + " "))
                    .noneMatch(l -> l.startsWith(engine.pid() + " "))
                    .noneMatch(l -> engine.toHandle().descendants().anyMatch(d -> l.startsWith(d.pid() + " ")));

            List<String> withoutEngine = SoakCommand.leftProcesses(ProcessHandle.current(), Optional.empty());
            assertThat(withoutEngine).as("left when no engine was started").anyMatch(l -> l.startsWith(engine.pid() + " "))
                    .anyMatch(l -> l.startsWith(stray.pid() + " "));
        } finally {
            engine.toHandle().descendants().forEach(ProcessHandle::destroy);
            engine.destroy();
            stray.destroy();
            engine.waitFor(10, TimeUnit.SECONDS);
            stray.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
