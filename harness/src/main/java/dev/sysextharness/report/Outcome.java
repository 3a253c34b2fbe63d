package dev.sysextharness.report;

import dev.sysextharness.host.Failures;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import java.util.Locale;
import org.junit.platform.commons.JUnitException;
import org.opentest4j.TestAbortedException;

/** How one cell ended, as the report, summary.json and the exit code name it. */
public enum Outcome {
    PASSED,
    FAILED,
    SKIPPED,
    ERROR;

    /**
     * A cell failed when its assertion did; it erred when the harness could not boot, reach or set up its guest, or
     * anything else went wrong that is not the behaviour under test.
     */
    public static Outcome of(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause == null) {
            return PASSED;
        }
        if (cause instanceof TestAbortedException) {
            return SKIPPED;
        }
        if (cause instanceof HarnessException || cause instanceof ConfigException) {
            return ERROR;
        }
        return cause instanceof AssertionError ? FAILED : ERROR;
    }

    /**
     * The failure a person should read first: JUnit wraps what a parameter resolver throws (the guest's start) in its
     * own exception, whose message is plumbing ("Failed to resolve parameter [...] in method [...]").
     */
    public static Throwable cause(Throwable failure) {
        Throwable t = failure;
        while (t instanceof JUnitException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The cause's first line: what the report and the progress line show. */
    public static String firstLine(Throwable failure) {
        return Failures.firstLine(cause(failure));
    }

    public static Outcome parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
