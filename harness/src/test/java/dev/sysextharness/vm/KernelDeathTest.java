package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelDeathTest {
    /** Cut from the serial log of a debian-sid (kernel 7.2.13) reboot under TCG that panicked 1.2 s in. */
    private static final String SID_PANIC = """
            [    1.210291] sched_clock: Marking stable (1252100227, -42857454)->(1225852600, -16609827)\r
            [    1.212390] Oops: int3: 0000 [#1] SMP NOPTI\r
            [    1.213028] CPU: 1 UID: 0 PID: 0 Comm: swapper/1 Not tainted 7.2.13+deb14-amd64 #1 PREEMPT(lazy)  Debian 7.2.13-1 \r
            [    1.213374] RIP: 0010:sched_clock_cpu+0x9/0x230\r
            [    1.216389] Oops: int3: 0000 [#2] SMP NOPTI\r
            [    1.216401] RIP: 0010:native_irq_return_iret+0x0/0x2\r
            [    1.216649] Kernel panic - not syncing: Fatal exception in interrupt\r
            [    3.758743] Shutting down cpus with NMI\r
            [    3.773745] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\r
            """;

    @Test
    void aPanicIsNamedWithTheFirstOopsAndWhereItHit() {
        assertThat(KernelDeath.in(SID_PANIC))
                .as("the panic line leads; the first Oops of the boot and its RIP say why")
                .contains("Kernel panic - not syncing: Fatal exception in interrupt"
                        + " (after 'Oops: int3: 0000 [#1] SMP NOPTI' at 0010:sched_clock_cpu+0x9/0x230)");
    }

    @Test
    void aPanicWithoutAnOopsIsNamedAlone() {
        assertThat(KernelDeath.in("[    0.9] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"))
                .contains("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)");
    }

    @Test
    void anOopsThatTheKernelSurvivesIsNotDeath() {
        String survived = """
                [   12.1] BUG: kernel NULL pointer dereference, address: 0000000000000008
                [   12.1] Oops: 0000 [#1] PREEMPT SMP NOPTI
                [   12.2] RIP: 0010:some_driver_probe+0x1c/0x90
                [   13.0] systemd[1]: Started ssh.service - OpenBSD Secure Shell server.
                """;
        assertThat(KernelDeath.in(survived)).as("an Oops alone leaves the guest running").isEmpty();
    }

    @Test
    void anOrdinaryConsoleIsNotDeath() {
        assertThat(KernelDeath.in("Debian GNU/Linux forky/sid node ttyS0\nnode login: \n")).isEmpty();
        assertThat(KernelDeath.in("")).isEmpty();
    }
}
