package dev.sysextharness.scenario;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import org.opentest4j.TestAbortedException;

/** How one scenario ended on one flavor, as the report and summary.json name it. */
public enum ScenarioOutcome {
    PASSED,
    FAILED,
    SKIPPED,
    ERROR;

    /** A scenario failed when its assertion did; the harness erred when it could not boot, reach or set up the node. */
    public static ScenarioOutcome of(Throwable failure) {
        if (failure == null) {
            return PASSED;
        }
        if (failure instanceof TestAbortedException) {
            return SKIPPED;
        }
        if (failure instanceof HarnessException || failure instanceof ConfigException) {
            return ERROR;
        }
        return failure instanceof AssertionError ? FAILED : ERROR;
    }

    public String label() {
        return name().toLowerCase();
    }
}
