package dev.sysextharness.api;

import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.guest.Lane;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestTemplate;

/**
 * A scenario: runs once per selected flavor (configuration parameter {@code sysext.flavors}) and lane
 * ({@code sysext.lanes}), each time on a fresh guest of that flavor handed in as a parameter — a booted
 * {@link dev.sysextharness.guest.Node} in the VM lane, a container of the flavor's userspace in the container lane.
 * Whether it applies is data: {@link #requires()}, judged against the flavor's declared systemd version,
 * {@link #families()}, the kinds of flavor it needs, and {@link #lanes()}, the lanes that can judge it. The harness's JUnit extension that turns a scenario into its cells is
 * registered by the run (JUnit's extension autodetection), so that this annotation, like the rest of the API, names
 * nothing of the harness's internals.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@Tag("vm")
public @interface Scenario {
    /** Rows of the capability model the scenario needs; on a flavor without one it is skipped with the reason. */
    Capability[] requires() default {};

    /**
     * The lanes that can judge this scenario. The container lane has no boot, no reboot, no service manager and no
     * Kairos install: only scenarios that depend on the flavor's userspace and its systemd alone (taking a
     * {@link dev.sysextharness.guest.Guest}, not a Node) declare it.
     */
    Lane[] lanes() default {Lane.VM};

    /**
     * The flavor families the scenario applies to: {@code kairos} for what only a Kairos image has (kairos-agent,
     * immucore); on a flavor of another family the cell is skipped with the reason.
     */
    Family[] families() default {Family.REFERENCE, Family.KAIROS};
}
