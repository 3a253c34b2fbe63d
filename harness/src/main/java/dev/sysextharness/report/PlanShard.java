package dev.sysextharness.report;

import java.util.List;

/**
 * What makes a run one shard of a plan: its index (0-based) of {@code count}, the plan's fingerprint (a hash of every
 * cell key of the whole selection and the count), and the whole split — the cell keys of every shard, by index — so
 * that a merge knows which cells a shard that never reported would have run.
 */
public record PlanShard(int index, int count, String plan, List<List<String>> split) {
    public PlanShard {
        split = split.stream().map(List::copyOf).toList();
    }

    /** "shard I of N", as lines and messages name it. */
    public String label() {
        return "shard " + index + " of " + count;
    }
}
