package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Virtual hardware of the flavor's node. */
public record Machine(
        @JsonProperty(required = true) int memoryMiB,
        @JsonProperty(required = true) int cpus) {

    public Machine {
        if (memoryMiB < 256) {
            throw new IllegalArgumentException("field 'memoryMiB': expected at least 256, got " + memoryMiB);
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("field 'cpus': expected at least 1, got " + cpus);
        }
    }
}
