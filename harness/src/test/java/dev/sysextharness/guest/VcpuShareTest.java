package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.vm.Accelerator;
import org.junit.jupiter.api.Test;

/** How many vCPUs a node gets: its flavor's, or under TCG its share of the host's cores among the nodes run at once. */
class VcpuShareTest {

    @Test
    void oneNodeAtATimeKeepsTheFlavorsVcpus() {
        assertThat(NodeLauncher.vcpus(2, Accelerator.TCG, 1, 2)).as("2-vCPU flavor, 1 job, 2 cores").isEqualTo(2);
        assertThat(NodeLauncher.vcpus(2, Accelerator.TCG, 1, 16)).as("never more than the flavor asks for").isEqualTo(2);
    }

    @Test
    void underTcgNodesRunAtOnceShareTheHostsCores() {
        assertThat(NodeLauncher.vcpus(2, Accelerator.TCG, 2, 2)).as("2 jobs on 2 cores").isEqualTo(1);
        assertThat(NodeLauncher.vcpus(4, Accelerator.TCG, 2, 8)).as("2 jobs on 8 cores").isEqualTo(4);
        assertThat(NodeLauncher.vcpus(4, Accelerator.TCG, 3, 8)).as("3 jobs on 8 cores: 2 each, rounded down").isEqualTo(2);
    }

    @Test
    void everyNodeGetsAtLeastOneVcpu() {
        assertThat(NodeLauncher.vcpus(2, Accelerator.TCG, 4, 2)).as("more jobs than cores").isEqualTo(1);
    }

    @Test
    void underKvmTheFlavorsCountStands() {
        assertThat(NodeLauncher.vcpus(2, Accelerator.KVM, 2, 2)).isEqualTo(2);
        assertThat(NodeLauncher.vcpus(2, Accelerator.KVM, 8, 2)).isEqualTo(2);
    }
}
