package dev.sysextharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the soak counts as left behind, with real processes: a stand-in engine (a shell for the unshare wrapper, a
 * program named dockerd below it, and a container process below that) and a stray child. The stray and the container
 * process count; the wrapper and its daemon do not.
 */
class SoakLeftProcessesTest {
    @Test
    void theEnginesOwnProcessesAreKeptAndEverythingElseCounts(@TempDir Path tmp) throws IOException, InterruptedException {
        Path dockerd = tmp.resolve("dockerd");
        Files.copy(Path.of("/bin/sh"), dockerd);
        dockerd.toFile().setExecutable(true);
        // wrapper → "dockerd" (a shell under that name) → a container's process
        Process engine = new ProcessBuilder("sh", "-c", "'" + dockerd + "' -c 'sleep 60 & wait' & wait").start();
        Process stray = new ProcessBuilder("sleep", "60").start();
        try {
            Awaitility.await("the stand-in engine's daemon and its container process").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).until(() -> engine.toHandle().descendants().count() == 2);
            long daemon = engine.toHandle().children().findFirst().orElseThrow().pid();
            long container = engine.toHandle().descendants().filter(d -> d.pid() != daemon).findFirst().orElseThrow().pid();

            List<String> left = SoakCommand.leftProcesses(ProcessHandle.current(), engine.pid());
            assertThat(left).as("left with the engine known").anyMatch(l -> l.startsWith(stray.pid() + " "))
                    .anyMatch(l -> l.startsWith(container + " "))
                    .noneMatch(l -> l.startsWith(engine.pid() + " ")).noneMatch(l -> l.startsWith(daemon + " "));

            assertThat(SoakCommand.leftProcesses(ProcessHandle.current(), -1)).as("left when no engine was started")
                    .anyMatch(l -> l.startsWith(engine.pid() + " ")).anyMatch(l -> l.startsWith(daemon + " "));
        } finally {
            engine.toHandle().descendants().forEach(ProcessHandle::destroy);
            engine.destroy();
            stray.destroy();
            engine.waitFor(10, TimeUnit.SECONDS);
            stray.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
