package dev.sysextharness.scenario;

import dev.sysextharness.flavor.Capability;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scenario: runs once per selected flavor (configuration parameter {@code sysext.flavors}), each time on a
 * freshly booted {@link dev.sysextharness.guest.Node} of that flavor handed in as a parameter. Whether it applies to
 * a flavor is data: {@link #requires()}, judged against the flavor's declared systemd version.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@Tag("vm")
@ExtendWith(ScenarioExtension.class)
public @interface Scenario {
    /** Rows of the capability model the scenario needs; on a flavor without one it is skipped with the reason. */
    Capability[] requires() default {};
}
