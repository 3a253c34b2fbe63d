package dev.sysextharness.guest;

/**
 * Steps a restored guest's clock without starting a program. A restored guest's clock resumes at the moment of the
 * save, so the first thing a restore does is set it to the host's time; with {@code date -s} that is the first
 * program run in the new QEMU, and under TCG a program's start (execve, the dynamic loader, libc) is translated
 * afresh there: about 0.35 s of a 0.6 s readiness check (measured on debian-12 against the same check with no
 * program in it). So before the save the harness leaves a perl process (perl-base is essential on Debian) blocked
 * opening a FIFO; the restore writes the host's time into the FIFO with the shell's own {@code echo}, and the process
 * steps the clock with clock_settime(2) and answers, on a second FIFO, what the guest's clock said before. Its
 * program already runs, so nothing but that short path is translated. Each restore steps its own copy of it; the
 * last step ends it. A restore made ahead ({@link Spares}) steps twice: once in its readiness check ahead, with
 * {@code more} (the stepper then waits again), and once when a cell takes it, after its pause.
 */
final class ClockStepper {
    static final String DIR = "/run/sysext-harness";
    static final String TIME_IN = DIR + "/clock";
    static final String WAS_OUT = DIR + "/clock-was";
    /** What the stepper writes once it runs, before it blocks on {@link #TIME_IN}. */
    static final String LISTENING = "listening";

    /** After the time, asks the stepper to wait for another step instead of ending. */
    static final String MORE = "more";

    // x86_64 syscall numbers: clock_settime 227, clock_gettime 228 (CLOCK_REALTIME is 0); no single quotes inside
    private static final String PROGRAM = "open(W, \">\", \"" + WAS_OUT + "\") or exit 1; print W \"" + LISTENING + "\\n\"; close W;"
            + " $b = \"\\0\" x 16; $more = 1; while ($more) {"
            + " open(C, \"<\", \"" + TIME_IN + "\") or exit 1; $t = <C>; close C; chomp $t;"
            + " syscall(228, 0, $b); ($s, $n) = unpack(\"q q\", $b);"
            + " ($ts, $tms, $more) = ($t =~ /^(\\d+)\\.(\\d{3})( " + MORE + ")?$/);"
            + " $r = defined $tms ? syscall(227, 0, pack(\"q q\", $ts, $tms * 1000000)) : -1;"
            + " open(W, \">\", \"" + WAS_OUT + "\") or exit 1;"
            + " print W ($r == 0 ? sprintf(\"%d.%09d\", $s, $n) : \"error: clock_settime to [$t] failed: $!\"), \"\\n\"; close W;"
            + " $more = 0 if $r != 0; }";

    private ClockStepper() {
    }

    /**
     * Starts the stepper as root and waits until it runs (it says so on {@link #WAS_OUT}); prints its pid and
     * {@link #LISTENING}. Only for amd64 guests (the syscall numbers).
     */
    static String startCommand() {
        // without perl there is nothing to start; a perl that dies before it opens the FIFO would leave the read
        // blocked opening it, so the read has its own deadline
        return "command -v perl >/dev/null || exit 3; mkdir -p " + DIR + " && rm -f " + TIME_IN + " " + WAS_OUT + " && mkfifo -m 0600 "
                + TIME_IN + " " + WAS_OUT + " && { perl -e '" + PROGRAM + "' </dev/null >/dev/null 2>&1 & p=$!; l=$(timeout 30 sh -c"
                + " 'read -r l < " + WAS_OUT + " && echo \"$l\"'); echo \"$p $l\"; }";
    }

    /** The stepper's pid from {@link #startCommand}'s output, or null if it did not start. */
    static Integer pid(CommandResult started) {
        String[] words = started.out().strip().split(" ");
        if (started.exitCode() != 0 || words.length != 2 || !words[1].equals(LISTENING) || !words[0].matches("[0-9]+")) {
            return null;
        }
        return Integer.valueOf(words[0]);
    }

    /** How the first line of {@link #stepCommand}'s output names the way the clock was stepped. */
    static final String BY_STEPPER = "stepper";
    static final String BY_DATE = "date";

    /**
     * Shell for a root shell of the restored node: on the first line the guest's time before the step (as
     * {@code date +%s.%N} prints it) and the way it was stepped ({@link #BY_STEPPER}, or {@link #BY_DATE} where the
     * stepper is gone), and the clock stepped to {@code hostMillis}. Builtins only, unless the stepper is gone. With
     * {@code more} the stepper stays for another step; without, this step is its last.
     */
    static String stepCommand(int pid, long hostMillis, boolean more) {
        return "if [ -d /proc/" + pid + " ] && [ -p " + TIME_IN + " ]; then echo " + hostTime(hostMillis) + (more ? " " + MORE : "") + " > "
                + TIME_IN + "; read -r was < " + WAS_OUT + "; echo \"$was " + BY_STEPPER + "\"; else " + dateStep(hostMillis, " " + BY_DATE)
                + " fi; ";
    }

    /**
     * Shell that prints the guest's time (as {@code date +%s.%N} prints it, then {@code suffix}) on one line and sets
     * the clock to {@code hostMillis} with {@code date}: the way without a stepper.
     */
    static String dateStep(long hostMillis, String suffix) {
        return "echo \"$(date +%s.%N)" + suffix + "\"; date -s @" + hostTime(hostMillis) + " >/dev/null;";
    }

    /** Seconds since the epoch with milliseconds, as both the stepper and {@code date -s @} read them. */
    private static String hostTime(long hostMillis) {
        return String.format("%d.%03d", hostMillis / 1000, hostMillis % 1000);
    }
}
