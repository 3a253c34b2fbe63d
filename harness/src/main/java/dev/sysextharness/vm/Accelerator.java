package dev.sysextharness.vm;

/** How QEMU runs the guest. Timeouts measured under TCG are scaled by {@link #timeoutFactor()}. */
public enum Accelerator {
    KVM(0.5),
    TCG(1.0);

    private final double timeoutFactor;

    Accelerator(double timeoutFactor) {
        this.timeoutFactor = timeoutFactor;
    }

    public double timeoutFactor() {
        return timeoutFactor;
    }

    public String qemuName() {
        return name().toLowerCase();
    }
}
