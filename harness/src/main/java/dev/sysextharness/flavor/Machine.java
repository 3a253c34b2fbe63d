package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Virtual hardware of the flavor's node.
 *
 * @param preloadModules kernel modules loaded into a cold-booted node just before its ready state is saved, so that
 *                       every node restored from it has them; empty: none. Meant for what systemd loads on first use
 *                       anyway (see the reference flavors), never for what a scenario asserts about.
 */
public record Machine(
        @JsonProperty(required = true) int memoryMiB,
        @JsonProperty(required = true) int cpus,
        List<String> preloadModules) {

    public Machine {
        if (memoryMiB < 256) {
            throw new IllegalArgumentException("field 'memoryMiB': expected at least 256, got " + memoryMiB);
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("field 'cpus': expected at least 1, got " + cpus);
        }
        preloadModules = preloadModules == null ? List.of() : List.copyOf(preloadModules);
        for (String module : preloadModules) {
            if (module == null || !module.matches("[A-Za-z0-9_]+")) {
                throw new IllegalArgumentException("field 'preloadModules': expected module names as /sys/module lists them"
                        + " (letters, digits, '_'), got '" + module + "'");
            }
        }
    }
}
