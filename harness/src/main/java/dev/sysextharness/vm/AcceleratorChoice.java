package dev.sysextharness.vm;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The accelerator of one run (one per command or test session), decided on first use. {@code tcg} and {@code kvm}
 * are taken as given. {@code auto} uses KVM only when the host's {@link KvmProbe} verdict says a real kernel boots
 * under it; and if a node under KVM still does not start — QEMU exits at once, or nothing appears on its serial
 * console within a short deadline — the run switches to TCG once, says so in one line, remembers that verdict for
 * the host, and starts the node again. With {@code kvm} requested the same failure stops the node, naming the cause
 * and {@code --accel tcg}.
 */
public final class AcceleratorChoice {
    /** What the user asked for. */
    public enum Request {
        AUTO, KVM, TCG;

        /** {@code value} of option {@code option}; anything else is a usage error naming both. */
        public static Request parse(String option, String value) {
            for (Request r : values()) {
                if (r.label().equals(value)) {
                    return r;
                }
            }
            throw new ConfigException(option + ": expected auto, kvm or tcg, got '" + value + "'");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Request request;
    private final KvmProbe probe;
    private final Supplier<Path> probeKernel;
    private final Progress progress;
    private Accelerator accelerator;
    private String reason;

    /**
     * {@code probeKernel} supplies the kernel the probe boots (the flavor's own, built if need be); it is asked only
     * when {@code auto} has no remembered verdict for this host.
     */
    public AcceleratorChoice(Request request, KvmProbe probe, Supplier<Path> probeKernel, Progress progress) {
        this.request = request;
        this.probe = probe;
        this.probeKernel = probeKernel;
        this.progress = progress;
    }

    /** An accelerator taken as given (tests, commands that already decided): never probed, never switched. */
    public static AcceleratorChoice fixed(Accelerator accelerator) {
        AcceleratorChoice c = new AcceleratorChoice(accelerator == Accelerator.KVM ? Request.KVM : Request.TCG, null, null,
                Progress.silent());
        c.accelerator = accelerator;
        c.reason = "requested";
        return c;
    }

    public Request request() {
        return request;
    }

    /** The accelerator nodes start with now, deciding it on the first call. */
    public synchronized Accelerator current() {
        if (accelerator == null) {
            decide();
            progress.step("accelerator " + accelerator.qemuName() + " (" + reason + ")");
        }
        return accelerator;
    }

    /** Why {@link #current()} is what it is. */
    public synchronized String reason() {
        current();
        return reason;
    }

    private void decide() {
        switch (request) {
            case TCG -> set(Accelerator.TCG, "requested");
            case KVM -> set(Accelerator.KVM, "requested");
            case AUTO -> {
                String device = probe.deviceProblem();
                if (device != null) {
                    set(Accelerator.TCG, device);
                    return;
                }
                KvmProbe.Verdict v = probe.verdict(probeKernel, progress);
                set(v.usable() ? Accelerator.KVM : Accelerator.TCG, (v.usable() ? "KVM works here: " : "KVM does not boot a kernel here: ")
                        + v.reason() + (v.cached() ? "; verdict of " + v.decidedAt() : ""));
            }
        }
    }

    private void set(Accelerator a, String why) {
        accelerator = a;
        reason = why;
    }

    /**
     * Starts a VM with this run's accelerator; {@code commandLine} gives its QEMU command line for an accelerator. Under
     * KVM the start is watched until the first byte on the serial console ({@code firstOutput}: the kernel's first line
     * of a direct boot, a bootloader's menu otherwise). A VM that exits or stays silent did not start: with {@code auto}
     * the run switches to TCG (see the class comment) and the VM is started again in {@code dir}, the failed attempt's
     * files moved to {@code dir/kvm-start-failed/}; with {@code kvm} requested the start fails with the cause.
     * {@code who} leads every message (the flavor's name).
     */
    public Vm start(String who, Function<Accelerator, QemuCommandLine> commandLine, Path dir, int sshPort, Duration firstOutput) {
        Accelerator a = current();
        Vm vm = Vm.start(commandLine.apply(a), dir, sshPort);
        if (a != Accelerator.KVM) {
            return vm;
        }
        String cause = startFailure(vm, firstOutput);
        if (cause == null) {
            return vm;
        }
        vm.close();
        if (!switchToTcg(who, cause)) {
            throw new HarnessException(who + ": " + cause + " — use --accel tcg (or auto, which falls back to TCG); evidence: " + dir);
        }
        moveAside(dir);
        return Vm.start(commandLine.apply(Accelerator.TCG), dir, sshPort);
    }

    /** Null if the VM started (a serial byte appeared), else what went wrong. */
    private static String startFailure(Vm vm, Duration firstOutput) {
        try {
            Awaitility.await("first serial output of " + vm.dir()).atMost(firstOutput).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20)).pollInSameThread()
                    .until(() -> vm.serialSize() > 0 || !vm.isAlive());
        } catch (ConditionTimeoutException e) {
            return "no output on the serial console within " + firstOutput.toSeconds() + " s under KVM (the guest hangs)";
        }
        if (vm.serialSize() > 0) {
            return null;
        }
        String said = vm.qemuOutput().lines().findFirst().orElse("");
        return "QEMU exited at start under KVM (status " + vm.exitValue() + ")" + (said.isEmpty() ? "" : ": " + said);
    }

    /** True when the run now uses TCG (switched here, or by another node meanwhile); false when KVM was requested. */
    private synchronized boolean switchToTcg(String who, String cause) {
        if (request != Request.AUTO) {
            return false;
        }
        if (accelerator == Accelerator.TCG) {
            return true;
        }
        set(Accelerator.TCG, "a node did not start under KVM: " + cause);
        progress.step(who + ": " + cause + " — retried under TCG, which the rest of this run uses");
        probe.remember(false, "a node did not start under KVM: " + cause);
        return true;
    }

    private static void moveAside(Path dir) {
        Path aside = dir.resolve("kvm-start-failed");
        try {
            Files.createDirectories(aside);
            for (String f : List.of("serial.log", "qemu.log", "command-line.txt")) {
                if (Files.exists(dir.resolve(f))) {
                    Files.move(dir.resolve(f), aside.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new HarnessException("cannot keep the failed KVM start's evidence in " + aside + ": " + e.getMessage(), e);
        }
    }
}
