package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.Login;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The one readiness check, shared by cold boot, reboot and restore: SSH answers with the flavor's login (and, after
 * a reboot, reports a boot_id other than the old one), then {@code systemctl is-system-running --wait} is no longer
 * starting. A restore over the guest channel takes the state's recorded answer instead (see
 * {@link #awaitOverChannel}). Everything runs against one wall-clock deadline; a miss fails with the serial log's tail.
 */
public final class Readiness {
    static final int SERIAL_TAIL_LINES = 40;
    private static final Duration POLL = Duration.ofMillis(250);
    /** QEMU's user-network gateway and DHCP server: a guest that has a route to it has its address. */
    static final String USER_NET_GATEWAY = "10.0.2.2";
    private static final String NETWORK_UP = "network configured";
    /**
     * One line, {@link #NETWORK_UP} or not: at once when the guest has its address already (one {@code ip} run, as it
     * has by the end of most boots); else {@code systemd-networkd-wait-online} waits for the lease (on debian-13 the NIC
     * was renamed and leased 2 s after the boot finished), with no polling. Under TCG that program costs about a
     * second even when there is nothing to wait for, so it is not in the boot itself.
     */
    private static final String NETWORK_STEP = "{ ip -4 route get " + USER_NET_GATEWAY + " >/dev/null 2>&1"
            + " || /usr/lib/systemd/systemd-networkd-wait-online --timeout=60 >/dev/null 2>&1; }"
            + " && ip -4 route get " + USER_NET_GATEWAY + " >/dev/null 2>&1 && echo '" + NETWORK_UP + "' || echo 'no network'; ";

    private Readiness() {
    }

    /**
     * Waits for the node; returns the authenticated session (the caller owns it) and what was observed, with times
     * counted from {@code origin} (QEMU's start, or the reboot request).
     */
    static Result await(Vm vm, Flavor flavor, Duration deadline, String previousBootId, Transcript transcript, Instant origin) {
        return await(vm, flavor, deadline, previousBootId, transcript, origin, false, null);
    }

    /**
     * As above; with {@code stepClock} (a restored guest, whose clock kept the saved moment) the readiness command
     * first prints the guest's time and steps it to the host's, saving a round trip; the drift goes to the transcript.
     * {@code savedSystemd}: a restored node's systemd version as its state recorded it (same boot_id, same systemd),
     * which spares the check a {@code systemctl --version}; null: ask the node.
     */
    static Result await(Vm vm, Flavor flavor, Duration deadline, String previousBootId, Transcript transcript, Instant origin,
            boolean stepClock, String savedSystemd) {
        Login login = flavor.login();
        String who = flavor.name();
        Instant start = origin;
        Instant end = Instant.now().plus(deadline);
        AtomicReference<String> lastProblem = new AtomicReference<>("no answer yet");
        AtomicBoolean firstAttempt = new AtomicBoolean(true);
        SshSession session;
        try {
            session = Awaitility.await("SSH on 127.0.0.1:" + vm.sshPort())
                    .atMost(deadline)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(POLL)
                    .pollInSameThread()
                    .failFast("the guest cannot answer", () -> !vm.guestAnswers())
                    .until(() -> tryLogin(vm, login, previousBootId, end, lastProblem, firstAttempt.getAndSet(false)), Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            throw notReady(vm, who, deadline, "SSH never answered as " + login.user() + " (" + lastProblem.get() + ")");
        } catch (TerminalFailureException e) {
            throw notReady(vm, who, deadline, guestGone(vm));
        }
        Duration sshAfter = Duration.between(start, Instant.now());
        try {
            if (stepClock) {
                Duration left = Duration.between(Instant.now(), end);
                session.openShells(left.isNegative() ? Duration.ofSeconds(1) : left);
            }
            Ready ready = check(session::shell, vm, flavor, deadline, end, transcript, start, sshAfter,
                    stepClock ? ClockStep.byDate() : ClockStep.NONE, savedSystemd, null, "SSH");
            return new Result(session, ready);
        } catch (IOException e) {
            session.close();
            throw notReady(vm, who, deadline, "SSH dropped during the readiness check: " + e.getMessage());
        } catch (HarnessException e) {
            session.close();
            throw e;
        }
    }

    /**
     * The readiness check of a restored node over its guest channel's root shell, which was running when the state
     * was saved: no login at all. The clock is stepped as after any restore. Where the state recorded what systemd
     * said of the saved node (asked last before the save), that answer is the restored node's too, once its boot_id
     * proves it is that boot (the caller checks): its memory is the saved memory and nothing has run in it but the
     * clock step, so asking again (a systemctl and a D-Bus call, each translated afresh under TCG) could only repeat
     * it. A unit that fails from here on, or a PID 1 that no longer answers, is the badness scan's finding. With
     * {@code ahead} (a restore made ahead, checked before it is paused until a cell takes it) the clock stepper stays for
     * the step at the take.
     */
    static Ready awaitOverChannel(Vm vm, Flavor flavor, Duration deadline, SerialShell root, Transcript transcript, Instant origin,
            dev.sysextharness.vm.SavedState state, boolean ahead) {
        Instant end = Instant.now().plus(deadline);
        try {
            return check((command, asRoot, recordedAs, timeout) -> root.exec(command, recordedAs, timeout), vm, flavor, deadline, end,
                    transcript, origin, Duration.between(origin, Instant.now()), ClockStep.afterRestore(state.clockStepper(), ahead),
                    state.systemd(), state.systemState() == null || state.failedUnits() == null ? null : state, "channel");
        } catch (IOException e) {
            throw notReady(vm, flavor.name(), deadline, "the guest channel failed during the readiness check: " + e.getMessage());
        }
    }

    /**
     * The readiness check of a node booting with a guest channel (a reference node cold-booted): the root shell that
     * udev starts on the channel early in the boot announces itself, then {@code systemctl is-system-running --wait}
     * over it answers once the boot is done — no SSH login on the way. A guest that dies or panics fails at once,
     * while the shell is awaited and while the boot is waited for (the shell is then given up, ending the command).
     * The shell is attached here, as the boot's QEMU starts, and is the caller's once the node is ready; closed if not.
     */
    static Booted awaitBootOverChannel(Vm vm, Flavor flavor, Duration deadline, Transcript transcript, Instant origin) {
        SerialShell root = SerialShell.attach(vm.channel(), "root", true);
        try {
            return new Booted(awaitBootOverChannel(vm, flavor, deadline, root, transcript, origin), root);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private static Ready awaitBootOverChannel(Vm vm, Flavor flavor, Duration deadline, SerialShell root, Transcript transcript,
            Instant origin) {
        String who = flavor.name();
        Instant end = Instant.now().plus(deadline);
        try {
            Awaitility.await("the root shell on the guest channel of " + vm.dir())
                    .atMost(deadline)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .pollInSameThread()
                    .failFast("the guest cannot answer", () -> !vm.guestAnswers())
                    .until(() -> root.awaitAnnounced(Duration.ZERO));
        } catch (ConditionTimeoutException e) {
            throw notReady(vm, who, deadline, "the root shell on the guest channel never announced itself");
        } catch (TerminalFailureException e) {
            throw notReady(vm, who, deadline, guestGone(vm));
        }
        Duration reached = Duration.between(origin, Instant.now());
        java.util.concurrent.ScheduledExecutorService watch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "boot-watch-" + who);
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(() -> {
            if (!vm.guestAnswers()) {
                root.close();
            }
        }, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            // the shell is root's: the transcript says so, as it does for every command sent there
            return check((command, asRoot, recordedAs, timeout) -> root.exec(command, Guest.asSudo(command), timeout), vm, flavor,
                    deadline, end, transcript, origin, reached, ClockStep.NONE, null, null, "channel");
        } catch (IOException | HarnessException e) {
            if (!vm.guestAnswers()) {
                throw notReady(vm, who, deadline, guestGone(vm));
            }
            throw e instanceof HarnessException h ? h
                    : notReady(vm, who, deadline, "the guest channel failed during the readiness check: " + e.getMessage());
        } finally {
            watch.shutdownNow();
        }
    }

    /** Why a guest stopped answering: its kernel's panic line, or QEMU's exit. */
    private static String guestGone(Vm vm) {
        return vm.kernelDeath().map(panic -> "the guest kernel panicked: " + panic)
                .orElseGet(() -> "QEMU exited with status " + vm.exitValue() + vm.qemuOutput().lines().findFirst().map(l -> ": " + l).orElse(""));
    }

    /** How the check reaches a shell of the node: as root or as the login user. */
    @FunctionalInterface
    interface Shell {
        CommandResult run(String command, boolean root, String recordedAs, Duration timeout) throws IOException;
    }

    /**
     * How a readiness check first steps the guest's clock to the host's: not at all (a boot's clock is the host's), or,
     * after a restore, by the clock stepper left in the saved node ({@code stepper}, its pid; staying for a later step
     * where {@code stepperStays}), else by {@code date}.
     */
    record ClockStep(boolean steps, Integer stepper, boolean stepperStays) {
        static final ClockStep NONE = new ClockStep(false, null, false);

        static ClockStep byDate() {
            return new ClockStep(true, null, false);
        }

        static ClockStep afterRestore(Integer stepper, boolean stepperStays) {
            return new ClockStep(true, stepper, stepperStays);
        }

        /** The step's command, followed by a space, for a check that starts with it; "" where nothing is stepped. */
        String command(long hostMillis) {
            return !steps ? "" : stepper != null ? ClockStepper.stepCommand(stepper, hostMillis, stepperStays)
                    : ClockStepper.dateStep(hostMillis, "") + " ";
        }
    }

    /**
     * {@code systemctl is-system-running --wait} (and, with a {@code clock} that steps, the guest's clock stepped to the
     * host's first), the boot_id and the systemd version, in one command; a node still starting, or in any state but
     * running or degraded, is not ready. With {@code asSaved}, the state's recorded answer stands in for systemctl's.
     */
    private static Ready check(Shell shell, Vm vm, Flavor flavor, Duration deadline, Instant end, Transcript transcript, Instant start,
            Duration reachedAfter, ClockStep clock, String savedSystemd, dev.sysextharness.vm.SavedState asSaved, String reachedBy)
            throws IOException {
        String who = flavor.name();
        Duration left = Duration.between(Instant.now(), end);
        if (left.isNegative()) {
            left = Duration.ofSeconds(1);
        }
        long hostMillis = System.currentTimeMillis();
        boolean stepClock = clock.steps();
        String step = clock.command(hostMillis);
        // In the shells the node keeps, so the scenario's first commands find them open. Only a restore needs
        // root here (the clock step); a boot checks as the login user and leaves sudo to the first root command.
        // boot_id by the shell's own read: under TCG every program started costs its translation
        // A boot over the channel proves nothing of the guest's network (an SSH login does, and a restore's state was
        // saved from a boot that passed this), yet scenarios pull images through it: wait for it too.
        boolean network = !stepClock && reachedBy.equals("channel");
        String check = step + (asSaved == null ? "systemctl is-system-running --wait; " : "")
                + (network ? NETWORK_STEP : "")
                + "read -r b < /proc/sys/kernel/random/boot_id && echo \"$b\""
                + (savedSystemd == null ? "; systemctl --version | head -n1" : "");
        CommandResult state = shell.run(check, stepClock, stepClock ? Guest.asSudo(check) : check, left);
        transcript.record(state);
        List<String> lines = state.out().lines().toList();
        if (stepClock && !lines.isEmpty()) {
            String guestTime = lines.get(0);
            lines = lines.subList(1, lines.size());
            if (guestTime.startsWith("error: ")) {
                throw notReady(vm, who, deadline, "the clock stepper left in the saved node could not step the clock: " + guestTime);
            }
            String way = "";
            if (clock.stepper() != null) {
                String[] words = guestTime.split(" ");
                guestTime = words[0];
                way = words.length > 1 && words[1].equals(ClockStepper.BY_STEPPER) ? " by the clock stepper (pid " + clock.stepper() + ")"
                        : " by date (the clock stepper, pid " + clock.stepper() + ", was gone)";
            }
            try {
                long guestMillis = (long) (Double.parseDouble(guestTime) * 1000);
                transcript.note(String.format("# harness: guest clock stepped by %+.3f s to the host's time%s",
                        (hostMillis - guestMillis) / 1000.0, way));
            } catch (NumberFormatException e) {
                transcript.note("# harness: guest clock step: unreadable guest time '" + guestTime + "'");
            }
        }
        if (asSaved != null) {
            transcript.note("# harness: system state '" + asSaved.systemState() + "'" + (asSaved.failedUnits().isEmpty() ? ""
                    : " (failed: " + String.join(", ", asSaved.failedUnits()) + ")") + " as saved in " + asSaved.dir()
                    + ", taken as this boot's own answer (its boot_id must be the saved one)");
        }
        // the lines in the check's order; the state's answer, where it stands in, takes systemctl's line
        int next = 0;
        String systemState = asSaved != null ? asSaved.systemState() : next < lines.size() ? lines.get(next++) : "";
        if (network && !(next < lines.size() && lines.get(next++).equals(NETWORK_UP))) {
            throw notReady(vm, who, deadline, "the guest's network is not configured: no route to " + USER_NET_GATEWAY
                    + " (QEMU's user network) after systemd-networkd-wait-online");
        }
        String bootId = next < lines.size() ? lines.get(next++) : "";
        String systemd = savedSystemd != null ? savedSystemd : next < lines.size() ? lines.get(next) : "";
        if (state.exitCode() == -1) {
            throw notReady(vm, who, deadline, "the readiness command got no exit status (" + state.stderr().strip() + ")");
        }
        if (systemState.equals("starting") || systemState.equals("initializing")) {
            throw notReady(vm, who, deadline, "systemd still '" + systemState + "'");
        }
        if (!systemState.equals("running") && !systemState.equals("degraded")) {
            throw notReady(vm, who, deadline, "systemd reports '" + systemState + "'");
        }
        List<String> failed = List.of();
        if (asSaved != null) {
            failed = asSaved.failedUnits();
        } else if (systemState.equals("degraded")) {
            CommandResult units = shell.run(FailedUnits.LIST, false, FailedUnits.LIST, Duration.ofSeconds(30));
            transcript.record(units);
            failed = FailedUnits.names(units.out().lines().toList());
        }
        return new Ready(bootId, systemd, systemState, failed, reachedAfter, Duration.between(start, Instant.now()), reachedBy);
    }

    /**
     * A cheap probe first: a plain socket that must read the server's "SSH-" banner. Until sshd answers, QEMU's
     * hostfwd accepts and drops the connection, and a full SSH client attempt would only cost host CPU that the
     * emulated guest needs.
     */
    static boolean bannerAnswers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(1500);
            byte[] b = new byte[4];
            int n = s.getInputStream().readNBytes(b, 0, 4);
            return n == 4 && new String(b, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The first attempt logs in straight away: after a restore sshd already listens, and a banner probe would only
     * make it fork a pre-auth child for nothing (a second of emulated CPU); before sshd listens the attempt fails at
     * once on the host. Later attempts probe the banner first.
     */
    private static SshSession tryLogin(Vm vm, Login login, String previousBootId, Instant end, AtomicReference<String> problem,
            boolean first) {
        if (!first && !bannerAnswers(vm.sshPort())) {
            problem.set("no SSH banner on 127.0.0.1:" + vm.sshPort());
            return null;
        }
        Duration left = Duration.between(Instant.now(), end);
        Duration attempt = left.compareTo(Duration.ofSeconds(10)) < 0 ? left : Duration.ofSeconds(10);
        if (attempt.isNegative() || attempt.isZero()) {
            return null;
        }
        SshSession s;
        try {
            s = SshSession.open(vm.sshPort(), login, attempt);
        } catch (IOException | RuntimeException e) {
            problem.set(e.getClass().getSimpleName() + ": " + e.getMessage());
            return null;
        }
        if (previousBootId == null) {
            return s;
        }
        try {
            String now = s.exec("cat /proc/sys/kernel/random/boot_id", attempt).out();
            if (!now.isEmpty() && !now.equals(previousBootId)) {
                return s;
            }
            problem.set("still the old boot " + previousBootId);
        } catch (IOException e) {
            problem.set("SSH dropped: " + e.getMessage());
        }
        s.close();
        return null;
    }

    /** One line leading with the flavor and the cause, then the evidence directory; the serial tail on the lines after. */
    static HarnessException notReady(Vm vm, String who, Duration deadline, String why) {
        return new HarnessException(who + ": not ready within " + deadline.toSeconds() + " s under " + vm.accelerator().qemuName()
                + ": " + why + "; evidence: " + vm.dir() + vm.serialEvidence(SERIAL_TAIL_LINES));
    }

    record Result(SshSession session, Ready ready) {
    }

    /** A boot found ready over the guest channel, and the root shell that said so (the caller's to keep or close). */
    record Booted(Ready ready, SerialShell root) {
    }
}
