package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the badness command's output is read as: the pure half of {@link Badness#scan}; BadnessTest boots a node. */
class BadnessFindingsTest {
    private static String output(String kernel, String units, String journal) {
        String split = "\n" + Badness.SPLIT + "\n";
        return kernel + split + units + split + journal + "\n";
    }

    @Test
    void aSystemdThatCannotListItsUnitsIsBadnessNotACleanNode() {
        List<String> found = Badness.findings(output("", Badness.NO_ANSWER + " 1", ""), List.of(), List.of());
        assertThat(found).as("systemctl list-units failed: an empty list would read as no failed unit")
                .containsExactly("systemd did not list its units (systemctl list-units failed with status 1)");
    }

    @Test
    void aJournalThatCannotBeReadIsBadnessNotACleanJournal() {
        List<String> found = Badness.findings(output("", "", Badness.NO_JOURNAL + " 1"), List.of(), List.of());
        assertThat(found).as("journalctl failed: no entries would read as no sysext error and no core dump")
                .containsExactly("the journal could not be read (journalctl failed with status 1)");
    }

    @Test
    void unitsThatFailedBeforeTheNodeWasReadyOrThatTheOracleExpectedAreNotFindings() {
        String units = "old.service loaded failed failed Old\nnew.service loaded failed failed New\nexpected.service loaded failed failed E";
        List<String> found = Badness.findings(output("[ 1.0] WARNING: CPU: 0 PID: 1 at x", units, ""),
                List.of("old.service"), List.of("unit:expected.service"));
        assertThat(found).containsExactly("kernel: [ 1.0] WARNING: CPU: 0 PID: 1 at x", "failed unit: new.service");
    }

    @Test
    void theJournalsEntriesAreToldApartByIdentifierOneFindingPerEntry() {
        // journalctl -o short-unix: an entry's later lines are indented under its message
        String journal = """
                1796251660.313456 kairos (sd-merge)[453]: Failed to merge hierarchies: Invalid argument
                1796251660.400000 kairos systemd-sysext[450]: Extension 'x' is not for this host (predicted)
                1796251661.000001 kairos systemd-coredump[501]: Process 4242 (sleep) of user 0 dumped core.
                                                                
                                                                Stack trace of thread 4242:
                                                                #0  0x00007f0000000000 n/a (libc.so.6 + 0x1)
                1796251662.000000 kairos systemd-sysext[502]:""";
        List<String> found = Badness.findings(output("", "", journal), List.of(), List.of("is not for this host"));
        assertThat(found).as("the predicted line is let through; the dump's stack trace is not a finding of its own").containsExactly(
                "systemd-sysext error the oracle did not predict: Failed to merge hierarchies: Invalid argument",
                "core dump: Process 4242 (sleep) of user 0 dumped core.",
                "systemd-sysext error the oracle did not predict: ");
    }
}
