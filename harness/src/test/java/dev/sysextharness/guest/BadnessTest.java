package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The badness scan finds what a node shows after a cell — and lets through what the cell's oracle predicted. */
@Tag("vm")
class BadnessTest {
    static DefaultFlavorImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() {
        image = DefaultFlavorImage.build();
    }

    @Test
    void aKernelWarningAFailedUnitAndAnUnpredictedSysextErrorAreFoundAndPredictedOnesAreNot() {
        try (Node node = new NodeLauncher(image.flavor(), image.disk()).accelerator(image.accel()).evidenceDir(tmp).start()) {
            assertThat(Badness.scan(node)).as("a fresh node").isEmpty();

            node.sudoOk("echo 'WARNING: CPU: 0 PID: 1 at sysext-harness/test.c:1 a planted warning' > /dev/kmsg");
            node.sudo("systemd-run --unit harness-planted --wait -p Type=oneshot /bin/false");
            node.sudoOk("echo 'Failed to merge hierarchies (planted)' | systemd-cat -t systemd-sysext -p err");
            // what systemd-coredump logs for a crash, at its LOG_CRIT (the reference image has no systemd-coredump; Kairos's have)
            node.sudoOk("printf 'MESSAGE_ID=" + Badness.COREDUMP_MESSAGE_ID + "\\nPRIORITY=2\\nSYSLOG_IDENTIFIER=systemd-coredump\\n"
                    + "MESSAGE=Process 4242 (planted) of user 0 dumped core.\\n' | logger --journald");

            assertThat(Badness.scan(node)).anyMatch(l -> l.startsWith("kernel: ") && l.contains("a planted warning"))
                    .contains("failed unit: harness-planted.service")
                    .anyMatch(l -> l.equals("systemd-sysext error the oracle did not predict: Failed to merge hierarchies (planted)"))
                    .contains("core dump: Process 4242 (planted) of user 0 dumped core.");

            node.transcript().predicted("Failed to merge hierarchies");
            node.transcript().predicted("unit:harness-planted.service");
            assertThat(Badness.scan(node)).as("with the oracle's predictions").hasSize(2)
                    .anyMatch(l -> l.startsWith("kernel: ")).anyMatch(l -> l.startsWith("core dump: "));
        }
    }
}
