package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * Wall-clock budgets measured under TCG on the reference machine; the harness scales them down for KVM.
 *
 * @param bootSeconds    QEMU start to ready
 * @param rebootSeconds  reboot request to ready again
 * @param commandSeconds one guest command
 */
public record Timeouts(
        @JsonProperty(required = true) int bootSeconds,
        @JsonProperty(required = true) int rebootSeconds,
        @JsonProperty(required = true) int commandSeconds) {

    public Timeouts {
        if (bootSeconds < 1 || rebootSeconds < 1 || commandSeconds < 1) {
            throw new IllegalArgumentException("every value must be at least 1 second");
        }
    }

    public Duration boot() {
        return Duration.ofSeconds(bootSeconds);
    }

    public Duration reboot() {
        return Duration.ofSeconds(rebootSeconds);
    }

    public Duration command() {
        return Duration.ofSeconds(commandSeconds);
    }
}
