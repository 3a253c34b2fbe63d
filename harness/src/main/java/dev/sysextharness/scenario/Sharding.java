package dev.sysextharness.scenario;

import dev.sysextharness.report.PlannedCell;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits a selection into shards of about equal wall time, the same way on every machine (same cells and durations →
 * same split; every tie is broken by key). Cells of one flavor and lane share the saved ready state a run makes once,
 * so whole (flavor, lane) groups are placed first, longest first, each on the least loaded shard (LPT); then single
 * cells move off the longest shard while that shortens the longest shard's time — a shard that gets a cell of a
 * group it did not have pays that group's setup too.
 */
public final class Sharding {
    /** Making a flavor's saved ready state in the VM lane (a cold boot to ready and a snapshot, under TCG). */
    static final long VM_SETUP_MS = 45_000;
    /** A cell never seen run: in the VM lane (a restore, the scenario, the badness sweep), in a container. */
    static final long VM_CELL_MS = 40_000;
    static final long CONTAINER_CELL_MS = 2_000;

    private Sharding() {
    }

    /** One cell to place: its key, its group (cells sharing a setup), its cost, and whether it needs the group's setup. */
    public record Item(String key, String group, long costMs, boolean needsSetup) {
    }

    /** The shards' cell keys (in the order given) and their estimated times, by shard index. */
    public record Split(List<List<String>> shards, List<Long> loadsMs) {
        public Split {
            shards = shards.stream().map(List::copyOf).toList();
            loadsMs = List.copyOf(loadsMs);
        }

        public List<String> cells(int index) {
            return shards.get(index);
        }

        public long makespanMs() {
            return loadsMs.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    /**
     * The split of a planned selection into {@code count} shards, costed from {@code durationsMs} (cell key → latest
     * duration; a cell not in it costs a constant for its lane; a cell the gate skips costs nothing and needs no setup).
     */
    public static Split split(List<PlannedCell> plan, Map<String, Long> durationsMs, int count) {
        List<Item> items = plan.stream().map(c -> new Item(c.key(), c.flavor() + "/" + c.lane(),
                c.judged() ? durationsMs.getOrDefault(c.key(), c.lane().equals("vm") ? VM_CELL_MS : CONTAINER_CELL_MS) : 0,
                c.judged())).toList();
        Map<String, Long> setup = new TreeMap<>();
        plan.forEach(c -> setup.put(c.flavor() + "/" + c.lane(), c.lane().equals("vm") ? VM_SETUP_MS : 0L));
        return assign(items, setup, count);
    }

    /** A hash of the whole selection (every cell key) and the shard count: the same plan on every machine, or not. */
    public static String fingerprint(List<PlannedCell> plan, int count) {
        return fingerprint(plan, count, List.of());
    }

    /**
     * The fingerprint of a plan and the split a shard computed for it: shards that read different histories (and so
     * split differently) have different fingerprints, and a merge refuses them instead of losing or doubling cells.
     */
    public static String fingerprint(List<PlannedCell> plan, int count, List<List<String>> split) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            plan.stream().map(PlannedCell::key).sorted().forEach(k -> sha.update((k + "\n").getBytes(StandardCharsets.UTF_8)));
            sha.update(("shards " + count).getBytes(StandardCharsets.UTF_8));
            for (List<String> shard : split) {
                sha.update(("\nshard " + String.join(" ", shard.stream().sorted().toList())).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The algorithm itself, on costed items and each group's setup cost (a group absent from {@code setupMs} costs none). */
    public static Split assign(List<Item> items, Map<String, Long> setupMs, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, got " + count);
        }
        Map<String, List<Item>> groups = new TreeMap<>();
        items.forEach(i -> groups.computeIfAbsent(i.group(), g -> new ArrayList<>()).add(i));
        Map<Item, Integer> shardOf = new LinkedHashMap<>();
        Loads loads = new Loads(count, setupMs);

        // whole groups, longest first (ties by group name), each onto the least loaded shard (ties: lowest index)
        List<Map.Entry<String, List<Item>>> byCost = new ArrayList<>(groups.entrySet());
        byCost.sort(Comparator.comparingLong((Map.Entry<String, List<Item>> e) -> -groupCost(e.getValue(), setupMs))
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<String, List<Item>> g : byCost) {
            int target = loads.least();
            g.getValue().forEach(i -> {
                shardOf.put(i, target);
                loads.add(i, target);
            });
        }

        // then single cells off the longest shard, while a move makes the longest shard shorter
        for (int guard = 0; guard < items.size() * count + 1; guard++) {
            Move best = null;
            long makespan = loads.max();
            List<Item> candidates = shardOf.keySet().stream().filter(i -> loads.of(shardOf.get(i)) == makespan)
                    .sorted(Comparator.comparing(Item::key)).toList();
            for (Item i : candidates) {
                int from = shardOf.get(i);
                for (int to = 0; to < count; to++) {
                    if (to == from) {
                        continue;
                    }
                    long after = loads.makespanAfterMoving(i, from, to);
                    long target = loads.of(to) + i.costMs() + loads.setupIfNew(i, to);
                    // the move that shortens the most; between equals, the one onto the least loaded shard (so that
                    // the next move has somewhere to go), then the first by key and index
                    if (after < makespan && (best == null || after < best.makespanMs()
                            || after == best.makespanMs() && target < best.targetMs())) {
                        best = new Move(i, from, to, after, target);
                    }
                }
            }
            if (best == null) {
                break;
            }
            loads.remove(best.item(), best.from());
            loads.add(best.item(), best.to());
            shardOf.put(best.item(), best.to());
        }

        List<List<String>> shards = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int index = s;
            shards.add(items.stream().filter(i -> shardOf.get(i) == index).map(Item::key).toList());
        }
        List<Long> times = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            times.add(loads.of(s));
        }
        return new Split(shards, times);
    }

    private record Move(Item item, int from, int to, long makespanMs, long targetMs) {
    }

    private static long groupCost(List<Item> group, Map<String, Long> setupMs) {
        long cells = group.stream().mapToLong(Item::costMs).sum();
        return cells + (group.stream().anyMatch(Item::needsSetup) ? setupMs.getOrDefault(group.get(0).group(), 0L) : 0);
    }

    /** Each shard's cells' costs plus the setup of every group it holds a cell needing it of. */
    private static final class Loads {
        private final Map<String, Long> setupMs;
        private final List<Map<String, Integer>> needing = new ArrayList<>(); // per shard: group → cells needing its setup
        private final long[] cellsMs;

        Loads(int count, Map<String, Long> setupMs) {
            this.setupMs = setupMs;
            this.cellsMs = new long[count];
            for (int s = 0; s < count; s++) {
                needing.add(new TreeMap<>());
            }
        }

        long of(int shard) {
            return cellsMs[shard] + needing.get(shard).keySet().stream().mapToLong(g -> setupMs.getOrDefault(g, 0L)).sum();
        }

        long max() {
            long max = 0;
            for (int s = 0; s < cellsMs.length; s++) {
                max = Math.max(max, of(s));
            }
            return max;
        }

        int least() {
            int least = 0;
            for (int s = 1; s < cellsMs.length; s++) {
                if (of(s) < of(least)) {
                    least = s;
                }
            }
            return least;
        }

        void add(Item i, int shard) {
            cellsMs[shard] += i.costMs();
            if (i.needsSetup()) {
                needing.get(shard).merge(i.group(), 1, Integer::sum);
            }
        }

        void remove(Item i, int shard) {
            cellsMs[shard] -= i.costMs();
            if (i.needsSetup()) {
                needing.get(shard).computeIfPresent(i.group(), (g, n) -> n == 1 ? null : n - 1);
            }
        }

        long setupIfNew(Item i, int shard) {
            return i.needsSetup() && !needing.get(shard).containsKey(i.group()) ? setupMs.getOrDefault(i.group(), 0L) : 0;
        }

        long makespanAfterMoving(Item i, int from, int to) {
            remove(i, from);
            add(i, to);
            long after = max();
            remove(i, to);
            add(i, from);
            return after;
        }
    }
}
