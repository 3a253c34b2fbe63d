package dev.sysextharness.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How long each cell took when it last ran, from the summaries under a reports directory: what shards are balanced
 * by. Only complete runs of a whole selection count (a shard's or a killed run's cells are a biased sample, and a
 * shard must not read what its sibling shards are writing); unreadable summaries are passed over.
 */
public final class CellDurations {
    private CellDurations() {
    }

    /** Cell key → its latest durationMs, over every {@code reportsDir/<run>/summary.json}; empty when there is none. */
    public static Map<String, Long> latest(Path reportsDir) {
        if (reportsDir == null || !Files.isDirectory(reportsDir)) {
            return Map.of();
        }
        List<RunSummary> runs;
        try (Stream<Path> dirs = Files.list(reportsDir)) {
            runs = dirs.filter(d -> !Files.isSymbolicLink(d) && Files.isRegularFile(d.resolve("summary.json")))
                    .flatMap(d -> readable(d).stream())
                    .filter(r -> r.complete() && r.shard().isEmpty() && !r.merged())
                    .sorted(Comparator.comparing(RunSummary::finished).thenComparing(RunSummary::runId))
                    .toList();
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, Long> latest = new HashMap<>();
        for (RunSummary run : runs) {
            run.results().forEach(r -> latest.put(r.key(), r.durationMs()));
        }
        return latest;
    }

    private static java.util.Optional<RunSummary> readable(Path dir) {
        try {
            return java.util.Optional.of(RunSummary.read(dir));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
