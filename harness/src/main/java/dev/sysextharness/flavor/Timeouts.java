package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * Wall-clock budgets measured under TCG on the reference machine; the harness scales them down for KVM.
 *
 * @param bootSeconds    QEMU start to ready
 * @param rebootSeconds  reboot request to ready again
 * @param commandSeconds one guest command
 * @param installSeconds an ISO install, QEMU start to poweroff (Kairos flavors only; 0 when absent)
 */
public record Timeouts(
        @JsonProperty(required = true) int bootSeconds,
        @JsonProperty(required = true) int rebootSeconds,
        @JsonProperty(required = true) int commandSeconds,
        int installSeconds) {

    public Timeouts {
        if (bootSeconds < 1 || rebootSeconds < 1 || commandSeconds < 1) {
            throw new IllegalArgumentException("every value must be at least 1 second");
        }
        if (installSeconds < 0) {
            throw new IllegalArgumentException("field 'installSeconds': expected a number of seconds, got " + installSeconds);
        }
    }

    public Timeouts(int bootSeconds, int rebootSeconds, int commandSeconds) {
        this(bootSeconds, rebootSeconds, commandSeconds, 0);
    }

    public Duration install() {
        return Duration.ofSeconds(installSeconds);
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
