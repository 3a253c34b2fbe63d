package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a flavor adds /opt to the merged hierarchies (Kairos leaves it out by default). */
public enum OptIn {
    /** A drop-in under /run for the running system (reference nodes: no stage runner). */
    @JsonProperty("runtime-drop-in")
    RUNTIME_DROP_IN,
    /**
     * Kairos's documented way: a {@code stages.initramfs.after} cloud-config in /oem that rewrites the sysext drop-in
     * and profile.d file with /opt appended, effective from the next boot (the stock files are rewritten in the
     * initramfs stage of every boot, so a plain edit would not last).
     */
    @JsonProperty("kairos-stage")
    KAIROS_STAGE;

    @Override
    public String toString() {
        return this == RUNTIME_DROP_IN ? "runtime-drop-in" : "kairos-stage";
    }
}
