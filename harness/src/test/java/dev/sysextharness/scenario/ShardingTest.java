package dev.sysextharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.report.PlannedCell;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splitting a selection into shards: deterministic, balanced by time (not by count), groups kept whole unless splitting one helps. */
class ShardingTest {
    private static PlannedCell vm(String scenario, String flavor) {
        return new PlannedCell(scenario, flavor, "vm", null, "[template:" + scenario + "]");
    }

    /** Every cell of {@code plan} in exactly one shard. */
    private static void assertPartition(Sharding.Split split, List<PlannedCell> plan) {
        List<String> all = new ArrayList<>();
        split.shards().forEach(all::addAll);
        assertThat(all).as("cells over all shards").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(plan.stream().map(PlannedCell::key).toList());
    }

    private static List<PlannedCell> reversed(List<PlannedCell> plan) {
        List<PlannedCell> copy = new ArrayList<>(plan);
        Collections.reverse(copy);
        return copy;
    }

    @Test
    void theSameInputsGiveTheSameSplitWhateverTheOrderTheDurationsWereReadIn() {
        List<PlannedCell> plan = new ArrayList<>();
        Map<String, Long> durations = new HashMap<>();
        for (String flavor : List.of("debian-12", "debian-13", "debian-sid")) {
            for (int i = 0; i < 7; i++) {
                PlannedCell c = vm("S.m" + i, flavor);
                plan.add(c);
                durations.put(c.key(), 5_000L * (i % 3 + 1)); // many ties on purpose
            }
        }
        Sharding.Split first = Sharding.split(plan, durations, 4);
        Map<String, Long> reordered = new java.util.TreeMap<>(Collections.reverseOrder());
        reordered.putAll(durations);
        assertThat(Sharding.split(plan, reordered, 4)).as("same inputs, durations read in another order").isEqualTo(first);
        assertThat(Sharding.split(plan, new HashMap<>(durations), 4)).isEqualTo(first);
        assertPartition(first, plan);
        assertThat(Sharding.fingerprint(plan, 4)).as("the fingerprint names the cells and N, not their order")
                .isEqualTo(Sharding.fingerprint(reversed(plan), 4))
                .isNotEqualTo(Sharding.fingerprint(plan, 3))
                .isNotEqualTo(Sharding.fingerprint(plan.subList(1, plan.size()), 4));
        assertThat(Sharding.fingerprint(plan, 2, List.of(List.of("a"), List.of("b"))))
                .as("shards that computed different splits (from different histories) do not share a fingerprint")
                .isNotEqualTo(Sharding.fingerprint(plan, 2, List.of(List.of("b"), List.of("a"))));
    }

    @Test
    void groupsAreKeptWholeWhenThatIsAlreadyBalanced() {
        List<PlannedCell> plan = new ArrayList<>();
        for (String flavor : List.of("debian-12", "debian-13", "debian-sid")) {
            for (int i = 0; i < 4; i++) {
                plan.add(vm("S.m" + i, flavor));
            }
        }
        Sharding.Split split = Sharding.split(plan, Map.of(), 3);

        assertPartition(split, plan);
        for (List<String> shard : split.shards()) {
            assertThat(shard).as("one flavor's cells per shard: %s", shard).hasSize(4)
                    .allSatisfy(k -> assertThat(k).contains("@" + shard.get(0).substring(shard.get(0).indexOf('@') + 1)));
        }
        assertThat(split.loadsMs()).as("each shard pays one setup and four unknown cells")
                .containsOnly(Sharding.VM_SETUP_MS + 4 * Sharding.VM_CELL_MS);
    }

    @Test
    void aGroupIsSplitOnlyWhenMovingCellsShortensTheLongestShard() {
        // one flavor, 12 cells of 40 s: a second setup (45 s) is worth paying
        List<PlannedCell> one = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            one.add(vm("S.m" + String.format("%02d", i), "debian-12"));
        }
        Sharding.Split split = Sharding.split(one, Map.of(), 3);
        assertPartition(split, one);
        assertThat(split.shards()).as("the group split three ways").allSatisfy(s -> assertThat(s).isNotEmpty());
        long whole = Sharding.VM_SETUP_MS + 12 * Sharding.VM_CELL_MS;
        assertThat(split.makespanMs()).as("shorter than the group on one shard").isLessThan(whole);
        assertThat(split.loadsMs()).as("each shard pays the setup once").allSatisfy(l -> assertThat((l - Sharding.VM_SETUP_MS) % Sharding.VM_CELL_MS).isZero());

        // two flavors of 3 quick cells on 2 shards: moving one cell would make its new shard pay a second setup
        Map<String, Long> quick = new HashMap<>();
        List<PlannedCell> two = new ArrayList<>();
        for (String flavor : List.of("debian-12", "debian-13")) {
            for (int i = 0; i < 3; i++) {
                PlannedCell c = vm("S.m" + i, flavor);
                two.add(c);
                quick.put(c.key(), 5_000L);
            }
        }
        Sharding.Split kept = Sharding.split(two, quick, 2);
        assertPartition(kept, two);
        assertThat(kept.cells(0)).as("debian-12's group whole on shard 0 (the tie goes to the first group by name)")
                .containsExactly("S.m0@debian-12/vm", "S.m1@debian-12/vm", "S.m2@debian-12/vm");
        assertThat(kept.cells(1)).containsExactly("S.m0@debian-13/vm", "S.m1@debian-13/vm", "S.m2@debian-13/vm");
        assertThat(kept.makespanMs()).isEqualTo(Sharding.VM_SETUP_MS + 15_000);
    }

    @Test
    void balancedByRecordedTimeNotByCount() {
        // debian-12: one slow cell; debian-13: nine quick ones. Equal counts would put four quick cells beside the slow one.
        List<PlannedCell> plan = new ArrayList<>();
        Map<String, Long> durations = new HashMap<>();
        PlannedCell slow = vm("Slow.m", "debian-12");
        plan.add(slow);
        durations.put(slow.key(), 300_000L);
        for (int i = 0; i < 9; i++) {
            PlannedCell c = vm("Quick.m" + i, "debian-13");
            plan.add(c);
            durations.put(c.key(), 10_000L);
        }
        Sharding.Split split = Sharding.split(plan, durations, 2);
        assertPartition(split, plan);
        assertThat(split.cells(0)).as("the slow cell alone").containsExactly("Slow.m@debian-12/vm");
        assertThat(split.cells(1)).as("the nine quick ones together").hasSize(9);
        assertThat(split.loadsMs()).containsExactly(Sharding.VM_SETUP_MS + 300_000L, Sharding.VM_SETUP_MS + 90_000L);
    }

    @Test
    void skippedCellsCostNothingAndNeedNoSetup() {
        List<PlannedCell> plan = List.of(new PlannedCell("S.mutable", "debian-12", "vm", "needs systemd >= 256", "t"),
                vm("S.a", "debian-13"));
        Sharding.Split split = Sharding.split(plan, Map.of(), 2);
        assertPartition(split, plan);
        assertThat(split.loadsMs()).containsExactlyInAnyOrder(0L, Sharding.VM_SETUP_MS + Sharding.VM_CELL_MS);
    }

    @Test
    void moreShardsThanCellsLeavesSomeEmpty() {
        List<PlannedCell> plan = List.of(vm("S.a", "debian-12"), vm("S.b", "debian-13"));
        Sharding.Split split = Sharding.split(plan, Map.of(), 5);
        assertPartition(split, plan);
        assertThat(split.shards()).hasSize(5).filteredOn(List::isEmpty).hasSize(3);
    }

    @Test
    void randomSelectionsArePartitionedAndNoWorseThanOneGroupPerShard() {
        Random random = new Random(16);
        for (int round = 0; round < 200; round++) {
            List<PlannedCell> plan = new ArrayList<>();
            Map<String, Long> durations = new HashMap<>();
            int flavors = 1 + random.nextInt(4);
            for (int f = 0; f < flavors; f++) {
                for (String lane : List.of("vm", "container")) {
                    int n = random.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        PlannedCell c = new PlannedCell("S.m" + i, "flavor-" + f, lane, null, "t");
                        plan.add(c);
                        if (random.nextBoolean()) {
                            durations.put(c.key(), 1_000L + random.nextInt(90_000));
                        }
                    }
                }
            }
            if (plan.isEmpty()) {
                continue;
            }
            int count = 1 + random.nextInt(5);
            Sharding.Split split = Sharding.split(plan, durations, count);
            assertPartition(split, plan);
            Sharding.Split groupsOnly = Sharding.split(plan, durations, 1);
            assertThat(split.makespanMs()).as("round %d: never longer than one shard", round).isLessThanOrEqualTo(groupsOnly.makespanMs());
            Set<Long> loads = new HashSet<>(split.loadsMs());
            assertThat(loads).isNotEmpty();
            assertThat(Sharding.split(plan, durations, count)).as("round %d: deterministic", round).isEqualTo(split);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"3/3", "0/0", "-1/2", "x/2", "1", "1/2/3", "", "2/ 3"})
    void badShardSpecsAreUsageErrors(String spec) {
        assertThatThrownBy(() -> Shard.parse(spec)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--shard ").hasMessageContaining("expected I/N");
    }

    @Test
    void goodShardSpecs() {
        assertThat(Shard.parse("0/1")).isEqualTo(new Shard(0, 1));
        assertThat(Shard.parse("2/3")).isEqualTo(new Shard(2, 3));
    }
}
