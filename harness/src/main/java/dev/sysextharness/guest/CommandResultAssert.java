package dev.sysextharness.guest;

import org.assertj.core.api.AbstractAssert;

/** {@code assertThatCommand(node.run("hello")).succeeds().printsLine("hello from sysext")}. */
public final class CommandResultAssert extends AbstractAssert<CommandResultAssert, CommandResult> {

    private CommandResultAssert(CommandResult actual) {
        super(actual, CommandResultAssert.class);
    }

    public static CommandResultAssert assertThatCommand(CommandResult result) {
        return new CommandResultAssert(result);
    }

    public CommandResultAssert succeeds() {
        isNotNull();
        if (actual.exitCode() != 0) {
            failWithMessage("expected '%s' to succeed but it exited %d; stdout: %s; stderr: %s",
                    actual.command(), actual.exitCode(), actual.stdout().strip(), actual.stderr().strip());
        }
        return this;
    }

    /** Exited with a non-zero status: a command that did not complete (timeout, lost shell: exit -1) is no evidence of failing. */
    public CommandResultAssert fails() {
        isNotNull();
        if (actual.exitCode() < 0) {
            failWithMessage("expected '%s' to fail but it did not complete (%s)", actual.command(), actual.stderr().strip());
        }
        if (actual.exitCode() == 0) {
            failWithMessage("expected '%s' to fail but it exited 0; stdout: %s", actual.command(), actual.stdout().strip());
        }
        return this;
    }

    public CommandResultAssert printsLine(String line) {
        isNotNull();
        if (actual.stdout().lines().noneMatch(line::equals)) {
            failWithMessage("expected '%s' to print the line '%s' but stdout was: %s", actual.command(), line, actual.stdout().strip());
        }
        return this;
    }

    public CommandResultAssert printsLineMatching(String regex) {
        isNotNull();
        if (actual.stdout().lines().noneMatch(l -> l.matches(regex))) {
            failWithMessage("expected '%s' to print a line matching '%s' but stdout was: %s", actual.command(), regex,
                    actual.stdout().strip());
        }
        return this;
    }

    /** Printed nothing on stdout, with {@code why} it should not have in the failure message. */
    public CommandResultAssert printsNothing(String why) {
        isNotNull();
        if (!actual.stdout().isBlank()) {
            failWithMessage("expected '%s' to print nothing (%s) but stdout was: %s", actual.command(), why, actual.stdout().strip());
        }
        return this;
    }

    public CommandResultAssert saysInStderr(String fragment) {
        isNotNull();
        if (!actual.stderr().contains(fragment)) {
            failWithMessage("expected '%s' to say '%s' on stderr but stderr was: %s", actual.command(), fragment, actual.stderr().strip());
        }
        return this;
    }
}
