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

    /** A wall-clock budget measured under TCG, scaled for this accelerator. */
    public java.time.Duration scale(java.time.Duration tcgBudget) {
        return java.time.Duration.ofMillis((long) (tcgBudget.toMillis() * timeoutFactor));
    }

    public String qemuName() {
        return name().toLowerCase();
    }
}
