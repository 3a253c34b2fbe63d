package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the badness command's output is read as: the pure half of {@link Badness#scan}; BadnessTest boots a node. */
class BadnessFindingsTest {
    private static String output(String kernel, String units, String sysext, String coredumps) {
        String split = "\n" + Badness.SPLIT + "\n";
        return kernel + split + units + split + sysext + split + coredumps + "\n";
    }

    @Test
    void aSystemdThatCannotListItsUnitsIsBadnessNotACleanNode() {
        List<String> found = Badness.findings(output("", Badness.NO_ANSWER + " 1", "", ""), List.of(), List.of());
        assertThat(found).as("systemctl list-units failed: an empty list would read as no failed unit")
                .containsExactly("systemd did not list its units (systemctl list-units failed with status 1)");
    }

    @Test
    void unitsThatFailedBeforeTheNodeWasReadyOrThatTheOracleExpectedAreNotFindings() {
        String units = "old.service loaded failed failed Old\nnew.service loaded failed failed New\nexpected.service loaded failed failed E";
        List<String> found = Badness.findings(output("[ 1.0] WARNING: CPU: 0 PID: 1 at x", units, "", ""),
                List.of("old.service"), List.of("unit:expected.service"));
        assertThat(found).containsExactly("kernel: [ 1.0] WARNING: CPU: 0 PID: 1 at x", "failed unit: new.service");
    }
}
