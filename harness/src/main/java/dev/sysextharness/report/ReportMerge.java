package dev.sysextharness.report;

import dev.sysextharness.host.HarnessVersion;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Several runs' reports as one: the shards of a plan (or a run and a rerun of some of its cells) combined cell by
 * cell. Refused, with one line: runs of different harness versions, shards of different plans, a partial run (unless
 * allowed), and a cell two runs judged differently (unless one run is preferred). Cells of a sharded plan that no
 * run reported are error cells naming their shard.
 */
public final class ReportMerge {
    private ReportMerge() {
    }

    /** The merged cells, in the order the runs gave them (missing ones last), and the runs they came from. */
    public record Merged(List<RunSummary> runs, List<Cell> cells) {
        public Merged {
            runs = List.copyOf(runs);
            cells = List.copyOf(cells);
        }

        public long missing() {
            return cells.stream().filter(c -> c.from().isEmpty()).count();
        }
    }

    /** One merged cell: its result and the run it came from (empty: no run reported it). */
    public record Cell(ScenarioResult result, Optional<RunSummary> from) {
    }

    public static Merged merge(List<RunSummary> runs, Path prefer, boolean allowPartial) {
        if (runs.isEmpty()) {
            throw new ConfigException("report merge: no run to merge");
        }
        checkSameHarness(runs);
        for (RunSummary r : runs) {
            // a killed shard is what the split is for: its unjudged cells become errors below; a killed whole run needs consent
            if (!r.complete() && r.shard().isEmpty() && !allowPartial) {
                throw new ConfigException("report merge: " + r.dir() + " is a partial run (\"complete\": false); pass --allow-partial to merge it anyway");
            }
        }
        List<PlanShard> shards = runs.stream().flatMap(r -> r.shard().stream()).toList();
        for (RunSummary r : runs) {
            r.shard().filter(s -> !s.plan().equals(shards.get(0).plan())).ifPresent(s -> {
                throw new ConfigException("report merge: " + r.dir() + " is " + s.label() + " of plan " + s.plan() + ", but "
                        + runs.stream().filter(o -> o.shard().isPresent()).findFirst().orElseThrow().dir() + " is of plan "
                        + shards.get(0).plan() + ": shards of different selections do not merge");
            });
        }
        Path preferredDir = prefer == null ? null : realOrNormal(prefer);
        RunSummary preferred = prefer == null ? null : runs.stream().filter(r -> r.dir().equals(preferredDir))
                .findFirst().orElseThrow(() -> new ConfigException("report merge: --prefer " + prefer + " is not one of the runs given"));

        Map<String, Cell> cells = new LinkedHashMap<>();
        List<RunSummary> order = new ArrayList<>(runs);
        if (preferred != null) { // the preferred run's cells first: they win over every other run's
            order.remove(preferred);
            order.add(0, preferred);
        }
        for (RunSummary run : order) {
            for (ScenarioResult r : run.results()) {
                Cell earlier = cells.get(r.key());
                if (earlier == null) {
                    cells.put(r.key(), new Cell(r, Optional.of(run)));
                } else if (earlier.result().outcome() != r.outcome() && earlier.from().orElseThrow() != preferred) {
                    throw new ConfigException("report merge: cell " + r.key() + " " + earlier.result().outcome().label() + " in "
                            + earlier.from().orElseThrow().dir() + " but " + r.outcome().label() + " in " + run.dir()
                            + "; name the run that wins with --prefer DIR");
                }
            }
        }
        for (RunSummary run : runs) {
            for (String key : run.pending()) {
                cells.putIfAbsent(key, new Cell(missing(key, run.dir() + " did not finish (killed?) before judging it"), Optional.empty()));
            }
        }
        if (!shards.isEmpty()) {
            Set<Integer> reported = new LinkedHashSet<>();
            shards.forEach(s -> reported.add(s.index()));
            for (PlanShard s : shards) {
                for (int i = 0; i < s.split().size(); i++) {
                    for (String key : s.split().get(i)) {
                        if (!cells.containsKey(key)) {
                            String why = "shard " + i + " of " + s.count() + (reported.contains(i) ? " reported without this cell" : " did not report");
                            cells.put(key, new Cell(missing(key, why), Optional.empty()));
                        }
                    }
                }
            }
        }
        return new Merged(runs, List.copyOf(cells.values()));
    }

    private static Path realOrNormal(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static void checkSameHarness(List<RunSummary> runs) {
        RunSummary first = runs.get(0);
        for (RunSummary r : runs) {
            if (!r.harnessVersion().equals(first.harnessVersion())) {
                throw new ConfigException("report merge: " + first.dir() + " was made by harness " + first.harnessVersion() + " but "
                        + r.dir() + " by " + r.harnessVersion() + ": runs of different harness versions do not merge");
            }
        }
    }

    /** The error cell standing for a planned cell no run reported ({@code key} as {@link PlannedCell#key()} makes it). */
    static ScenarioResult missing(String key, String why) {
        int at = key.lastIndexOf('@');
        int slash = key.lastIndexOf('/');
        return new ScenarioResult(key.substring(at + 1, slash), key.substring(slash + 1), key.substring(0, at), Outcome.ERROR, "",
                why, 0, "", 0, "no node");
    }

    /**
     * The merged report in {@code out}: each run's directory linked (relative symlink) under {@code out/runs/}, every
     * cell's evidence pointing through that link, so the page's links work; not yet written.
     */
    public static RunReport report(Merged merged, String runId, Path out, Function<String, Flavor> flavors) throws IOException {
        Path dir = out.toAbsolutePath().normalize();
        // the flavors first: an unknown one is a usage error before anything is written under out
        LinkedHashSet<String> flavorNames = new LinkedHashSet<>();
        merged.runs().forEach(r -> flavorNames.addAll(r.flavors()));
        merged.cells().forEach(c -> flavorNames.add(c.result().flavor()));
        List<Flavor> columns = new ArrayList<>();
        flavorNames.forEach(name -> columns.add(flavors.apply(name)));
        Files.createDirectories(dir.resolve("runs"));
        Map<RunSummary, Path> links = new LinkedHashMap<>();
        for (RunSummary run : merged.runs()) {
            String name = run.dir().getFileName().toString();
            Path link = dir.resolve("runs").resolve(name);
            for (int n = 2; Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
                link = dir.resolve("runs").resolve(name + "-" + n);
            }
            Files.createSymbolicLink(link, link.getParent().relativize(run.dir()));
            links.put(run, link);
        }
        RunReport report = new RunReport(runId, dir, columns)
                .mergedFrom(merged.runs().stream().map(RunSummary::runId).toList(),
                        merged.runs().stream().mapToDouble(RunSummary::wallSeconds).max().orElse(0))
                .judgedBy(merged.runs().isEmpty() ? HarnessVersion.current() : merged.runs().get(0).harnessVersion())
                .sourceOptions(merged.runs().isEmpty() ? List.of() : merged.runs().get(0).sourceOptions());
        for (Cell c : merged.cells()) {
            ScenarioResult r = c.result();
            String evidence = c.from().map(run -> links.get(run).resolve(run.dir().relativize(Path.of(r.evidence()))).toString())
                    .orElse(dir.toString());
            report.add(new ScenarioResult(r.flavor(), r.lane(), r.scenario(), r.outcome(), r.expected(), r.observed(), r.durationMs(),
                    evidence, r.reboots(), r.start()));
        }
        return report;
    }
}
