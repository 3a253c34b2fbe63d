package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.sysext.ShippedFiles.Expected;
import dev.sysextharness.sysext.ShippedFiles.Seen;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the file proof judges what a node showed against what the oracle says it must. */
class ShippedFilesTest {
    static final Expected VISIBLE = new Expected("/usr/bin/tool", "file aa", true, "merged, below a merged hierarchy");
    static final Expected OUTSIDE = new Expected("/usr/lib64/lib.so", "file bb", false, "outside the flavor's hierarchies");
    static final Expected WHITED = new Expected("/usr/share/old.txt", "missing", false, "removed by a whiteout of the image");

    @Test
    void theAuthorsBytesWhereMergedAnythingElseElsewhereNothingWhereWhitedOut() {
        assertThat(ShippedFiles.mismatches(List.of(VISIBLE, OUTSIDE, WHITED), List.of(new Seen("/usr/bin/tool", "file aa"),
                new Seen("/usr/lib64/lib.so", "file host-own"), new Seen("/usr/share/old.txt", "missing")))).isEmpty();
    }

    @Test
    void eachDifferenceIsOneLineWithItsReason() {
        assertThat(ShippedFiles.mismatches(List.of(VISIBLE, OUTSIDE, WHITED), List.of(new Seen("/usr/bin/tool", "file changed"),
                new Seen("/usr/lib64/lib.so", "file bb"), new Seen("/usr/share/old.txt", "file cc")))).containsExactly(
                "/usr/bin/tool: expected file aa (merged, below a merged hierarchy), found file changed",
                "/usr/lib64/lib.so: expected not the author's file bb (outside the flavor's hierarchies), found file bb",
                "/usr/share/old.txt: expected nothing (removed by a whiteout of the image), found file cc");
    }
}
