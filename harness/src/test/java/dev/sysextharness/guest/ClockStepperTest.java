package dev.sysextharness.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClockStepperTest {
    private static CommandResult said(int exit, String out) {
        return new CommandResult(ClockStepper.startCommand(), exit, out, "", Duration.ofMillis(5));
    }

    @Test
    void theStartedStepperIsKnownByItsPidOnlyOnceItSaysItListens() {
        assertThat(ClockStepper.pid(said(0, "348 listening\n"))).isEqualTo(348);
        assertThat(ClockStepper.pid(said(3, ""))).as("no perl").isNull();
        assertThat(ClockStepper.startCommand()).startsWith("command -v perl >/dev/null || exit 3; ");
        assertThat(ClockStepper.pid(said(0, "348 \n"))).as("it never said it listens (the read's own deadline passed)").isNull();
        assertThat(ClockStepper.pid(said(0, ""))).isNull();
    }

    @Test
    void theStepUsesOnlyTheShellWhileTheStepperRunsAndDateOtherwise() {
        String step = ClockStepper.stepCommand(348, 1796221913997L, false);
        assertThat(step).startsWith("if [ -d /proc/348 ] && [ -p /run/sysext-harness/clock ]; then echo 1796221913.997 > /run/sysext-harness/clock;"
                + " read -r was < /run/sysext-harness/clock-was; echo \"$was stepper\"; else ");
        assertThat(step).as("the fallback where the stepper is gone")
                .endsWith("else echo \"$(date +%s.%N) date\"; date -s @1796221913.997 >/dev/null; fi; ");
        assertThat(ClockStepper.stepCommand(1, 1796221913005L, false)).contains("echo 1796221913.005 >");
    }

    @Test
    void aStepThatLeavesTheStepperWaitingSaysSoAfterTheTime() {
        assertThat(ClockStepper.stepCommand(348, 1796221913997L, true))
                .contains("then echo 1796221913.997 more > /run/sysext-harness/clock; read -r was < /run/sysext-harness/clock-was;");
    }

    @Test
    void aReadinessCheckStepsTheClockOnlyAfterARestoreAndByTheStepperWhereTheStateLeftOne() {
        long host = 1796221913997L;
        assertThat(Readiness.ClockStep.NONE.command(host)).as("a boot's clock is the host's").isEmpty();
        assertThat(Readiness.ClockStep.byDate().command(host)).as("a restore without a stepper (over SSH)")
                .isEqualTo("echo \"$(date +%s.%N)\"; date -s @1796221913.997 >/dev/null; ");
        assertThat(Readiness.ClockStep.afterRestore(null, true).command(host)).as("a state saved without a stepper")
                .isEqualTo(Readiness.ClockStep.byDate().command(host));
        assertThat(Readiness.ClockStep.afterRestore(348, false).command(host)).isEqualTo(ClockStepper.stepCommand(348, host, false));
        assertThat(Readiness.ClockStep.afterRestore(348, true).command(host)).as("a check ahead leaves the stepper for the take")
                .isEqualTo(ClockStepper.stepCommand(348, host, true));
    }

    /** The program as perl reads it: compiled here ({@code perl -c}, nothing run), as the guest's perl would compile it. */
    @Test
    void theStepperIsAProgramPerlCompiles() throws Exception {
        String start = ClockStepper.startCommand();
        String program = start.substring(start.indexOf("perl -e '") + 9, start.indexOf("' </dev/null"));
        Process perl = new ProcessBuilder("perl", "-c", "-e", program).redirectErrorStream(true).start();
        String said = new String(perl.getInputStream().readAllBytes());
        assertThat(perl.waitFor()).as("perl -c says: %s", said).isZero();
        assertThat(program).as("it loops while asked for more, and only then")
                .contains("$more = 1; while ($more) {", "( more)?$/);", "$more = 0 if $r != 0; }");
    }

    @Test
    void theStepperHasNoSingleQuoteThatWouldEndItsShellQuoting() {
        String start = ClockStepper.startCommand();
        String program = start.substring(start.indexOf("perl -e '") + 9, start.indexOf("' </dev/null"));
        assertThat(program).doesNotContain("'").contains("syscall(227, 0, pack(\"q q\"");
    }
}
