package dev.sysextharness.guest;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.GuestChannel;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A booted, ready node of a flavor: the thing scenarios talk to. Every command is recorded in the node's transcript
 * with its exit code, output and duration. Closing the node ends its VM; its evidence directory stays.
 */
public final class Node implements Guest, Rebootable {
    private final Flavor flavor;
    private final Vm vm;
    private final Accelerator accelerator;
    private final Transcript transcript;
    private SshSession ssh;
    private Ready ready;
    private final String startedBy;
    /** Each reboot's time, from its request to the new boot's readiness. */
    private final java.util.List<Duration> reboots = new java.util.ArrayList<>();
    /** The guest channel's shells, attached on first use; null until then, or for good once the channel failed. */
    private SerialShell rootChannel;
    private SerialShell userChannel;
    /** Whether a shell attached now still has its start-up banner to say (it started after the current QEMU did). */
    private boolean channelShellsAnnounce;
    private String channelFailure;
    private java.util.Set<String> firmwareDb = java.util.Set.of();

    Node(Flavor flavor, Vm vm, Accelerator accelerator, Transcript transcript, SshSession ssh, Ready ready, String startedBy) {
        this(flavor, vm, accelerator, transcript, ssh, ready, startedBy, null);
    }

    /** A node whose readiness was checked over {@code rootChannel} (a restore), or with {@code ssh} (null: open on demand). */
    Node(Flavor flavor, Vm vm, Accelerator accelerator, Transcript transcript, SshSession ssh, Ready ready, String startedBy,
            SerialShell rootChannel) {
        this.startedBy = startedBy;
        this.rootChannel = rootChannel;
        this.channelShellsAnnounce = !"restore".equals(startedBy);
        this.flavor = flavor;
        this.vm = vm;
        this.accelerator = accelerator;
        this.transcript = transcript;
        this.ssh = ssh;
        this.ready = ready;
    }

    @Override
    public java.util.Set<String> firmwareDb() {
        return firmwareDb;
    }

    void firmwareDb(java.util.Set<String> fingerprints) {
        this.firmwareDb = java.util.Set.copyOf(fingerprints);
    }

    @Override
    public Flavor flavor() {
        return flavor;
    }

    @Override
    public Lane lane() {
        return Lane.VM;
    }

    public Vm vm() {
        return vm;
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    @Override
    public Transcript transcript() {
        return transcript;
    }

    @Override
    public Path evidenceDir() {
        return vm.dir();
    }

    /** How many times this node was rebooted. */
    public int reboots() {
        return reboots.size();
    }

    /** Each reboot's time, from its request ({@code systemctl reboot}) to the new boot's readiness, in order. */
    public java.util.List<Duration> rebootTimes() {
        return java.util.List.copyOf(reboots);
    }

    /** "cold boot" or "restore". */
    public String startedBy() {
        return startedBy;
    }

    /** Ends the SSH session (before the VM is frozen: no connection of ours should live on in a saved state). */
    void detachSession() {
        if (ssh != null) {
            ssh.close();
            ssh = null;
        }
    }

    /** The readiness observed at the last boot, reboot or restore. */
    public Ready ready() {
        return ready;
    }

    /** The systemd release the node reported at boot (point release included), the oracle's version input. */
    @Override
    public SystemdVersion systemd() {
        SystemdVersion v = ready.systemd();
        return v != null ? v : SystemdVersion.major(flavor.systemdVersion());
    }

    /** Runs a command as the login user, within the flavor's command timeout. */
    @Override
    public CommandResult run(String command) {
        return run(command, accelerator.scale(flavor.timeouts().command()));
    }

    @Override
    public CommandResult run(String command, Duration timeout) {
        return exec(command, false, command, timeout);
    }

    /** Runs a shell snippet as root, in the node's root shell; recorded as the {@code sudo} command it amounts to. */
    @Override
    public CommandResult sudo(String script) {
        return exec(script, true, Guest.asSudo(script), accelerator.scale(flavor.timeouts().command()));
    }

    /**
     * Copies a host file to {@code guestPath} as root, readable by all: over the guest channel's file port when the
     * node has a channel, else over the node's SSH session.
     */
    @Override
    public void sendFile(Path file, String guestPath) {
        String write = "cat > " + shellQuote(guestPath) + " && chmod 0644 " + shellQuote(guestPath);
        Duration timeout = accelerator.scale(flavor.timeouts().command());
        SerialShell root = channelShell(true);
        CommandResult r = root != null
                ? sendOverChannel(root, file, guestPath, timeout)
                : exec(Guest.asSudo(write) + " < " + file, s -> s.exec("sudo sh -c " + shellQuote(write), file, timeout));
        if (!r.succeeded()) {
            throw new HarnessException("cannot copy " + file + " to " + guestPath + " on the " + flavor.name() + " node: " + r.describe());
        }
    }

    /**
     * The file's bytes go to the channel's file port while a root command reads exactly that many from it. The port
     * is opened first and drained to the file's end even when the target cannot be written, so no byte waits for the
     * next file; a channel that fails on the way is given up for this node (SSH from here on).
     */
    private CommandResult sendOverChannel(SerialShell root, Path file, String guestPath, Duration timeout) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new HarnessException("cannot read " + file + " to send it to the " + flavor.name() + " node: " + e.getMessage(), e);
        }
        String port = "/dev/virtio-ports/" + GuestChannel.PREFIX + "file";
        String target = shellQuote(guestPath);
        // The port is opened first and read to the end of this file even when the target cannot be written, so no
        // byte is left for the next file. The size check: head ends early only at the port's end-of-file.
        String command = "{ head -c " + size + " > " + target + " || { head -c " + size + " > /dev/null; false; }; } < " + port
                + " && chmod 0644 " + target + " && test \"$(stat -c %s " + target + ")\" = " + size;
        // a thread of its own: a guest that never reads leaves it blocked until the VM's channel closes
        java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try (var in = java.nio.channels.FileChannel.open(file)) {
                java.nio.channels.SocketChannel to = vm.channel().port("file");
                long done = 0;
                while (done < size) {
                    long n = in.transferTo(done, size - done, to);
                    if (n <= 0 && in.size() < size) {
                        throw new IOException(file + " shrank to " + in.size() + " bytes while it was sent");
                    }
                    done += n;
                }
                sent.complete(null);
            } catch (Throwable e) {
                sent.completeExceptionally(e);
            }
        }, "guest-channel-file");
        writer.setDaemon(true);
        writer.start();
        CommandResult r;
        try {
            r = root.exec(command, Guest.asSudo(command) + "   # the port carries " + file, timeout);
        } catch (IOException e) {
            channelFailed(e.getMessage());
            throw new HarnessException(flavor.name() + ": the guest channel failed sending " + file + ": " + e.getMessage()
                    + vm.serialEvidence(Readiness.SERIAL_TAIL_LINES), e);
        }
        transcript.record(r);
        String left = null;
        if (r.exitCode() == -1) {
            left = "sending " + file + " did not complete";
        } else {
            try {
                sent.get(10, java.util.concurrent.TimeUnit.SECONDS); // the guest read every byte, into the target or away
            } catch (java.util.concurrent.TimeoutException e) {
                left = "the guest did not read all of " + file + " from the file port (exit " + r.exitCode() + ")";
            } catch (java.util.concurrent.ExecutionException e) {
                left = "writing " + file + " to the file port failed: " + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                left = "interrupted sending " + file;
            }
        }
        if (left != null) {
            channelFailed(left + "; bytes may be left in the file port");
        }
        return r.requireCompleted(flavor.name(), transcript.file());
    }

    private CommandResult exec(String command, boolean root, String recordedAs, Duration timeout) {
        SerialShell channel = channelShell(root);
        if (channel != null) {
            try {
                CommandResult r = channel.exec(command, recordedAs, timeout);
                transcript.record(r);
                if (r.exitCode() == -1) {
                    channelFailed("a command got no exit status (" + r.stderr().strip() + ")");
                }
                return r.requireCompleted(flavor.name(), transcript.file());
            } catch (IOException e) {
                channelFailed(e.getMessage());
                throw new HarnessException(flavor.name() + ": the guest channel failed running '" + recordedAs + "': " + e.getMessage()
                        + vm.serialEvidence(Readiness.SERIAL_TAIL_LINES), e);
            }
        }
        return exec(recordedAs, s -> s.shell(command, root, recordedAs, timeout));
    }

    /**
     * The channel shell for root or the login user, attached on first use; null when the machine has no channel or
     * it failed (then SSH carries every command, as on a node without one).
     */
    private SerialShell channelShell(boolean root) {
        GuestChannel channel = vm.channel();
        if (channel == null || channelFailure != null) {
            return null;
        }
        SerialShell shell = root ? rootChannel : userChannel;
        if (shell != null && shell.isOpen()) {
            return shell;
        }
        if (shell != null) { // it was attached and has ended: the socket closed under it, the machine is going or gone
            channelFailed("the " + (root ? "root" : "user") + " shell's socket closed" + (vm.isAlive() ? "" : " (QEMU exited)"));
            return null;
        }
        String port = root ? "root" : "user";
        shell = SerialShell.attach(channel, port, channelShellsAnnounce);
        Duration wait = accelerator.scale(flavor.timeouts().command());
        try {
            if (!shell.awaitAnnounced(wait)) {
                shell.close();
                channelFailed("the " + port + " shell did not announce itself within " + wait.toSeconds() + " s");
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(flavor.name() + ": interrupted waiting for the guest channel's " + port + " shell", e);
        }
        if (root) {
            rootChannel = shell;
        } else {
            userChannel = shell;
        }
        return shell;
    }

    /** From now on SSH carries this node's commands; the transcript says why. */
    private void channelFailed(String why) {
        channelFailure = why;
        transcript.note("# harness: guest channel given up, SSH from here on: " + why);
        closeChannelShells();
    }

    private void closeChannelShells() {
        if (rootChannel != null) {
            rootChannel.close();
            rootChannel = null;
        }
        if (userChannel != null) {
            userChannel.close();
            userChannel = null;
        }
    }

    /**
     * Proves the guest channel before the node is frozen into a saved state: both shells announced themselves and
     * run a command. A restored node relies on them from its first instant, so a node whose channel does not work is
     * not saved. Nothing to prove on a machine without a channel.
     */
    void proveChannel() {
        if (vm.channel() == null) {
            return;
        }
        for (boolean root : new boolean[] {true, false}) {
            if (channelShell(root) == null) {
                throw new HarnessException(flavor.name() + ": the guest channel does not work (" + channelFailure + "), so the node is not"
                        + " saved as the ready state; see journalctl -u sysext-harness-shell-" + (root ? "root" : "user")
                        + " on a kept node; evidence: " + vm.dir());
            }
            exec("true", root, root ? Guest.asSudo("true") : "true", accelerator.scale(flavor.timeouts().command()));
        }
        // and the file port: a few bytes there and back, every byte value once
        try {
            byte[] probe = new byte[256];
            for (int i = 0; i < probe.length; i++) {
                probe[i] = (byte) i;
            }
            Path file = Files.createTempFile(vm.dir(), "channel-probe", ".bin");
            Files.write(file, probe);
            String guestPath = "/run/sysext-harness-channel-probe";
            sendFile(file, guestPath);
            Files.delete(file);
            String sum = sudo("md5sum < " + guestPath + " && rm " + guestPath).out().split("\\s+")[0];
            String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(probe));
            if (channelFailure != null || !sum.equals(expected)) {
                throw new HarnessException(flavor.name() + ": the guest channel's file port does not carry a file intact (md5 " + sum
                        + ", sent " + expected + (channelFailure == null ? "" : "; " + channelFailure) + "), so the node is not saved as"
                        + " the ready state; evidence: " + vm.dir());
            }
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new HarnessException(flavor.name() + ": cannot prove the guest channel's file port: " + e.getMessage(), e);
        }
    }

    private interface SessionCall {
        CommandResult on(SshSession session) throws IOException;
    }

    private CommandResult exec(String recordedAs, SessionCall call) {
        try {
            if (ssh == null || !ssh.isOpen()) {
                ssh = SshSession.open(vm.sshPort(), flavor.login(), Duration.ofSeconds(30));
            }
            CommandResult r = call.on(ssh);
            transcript.record(r);
            return r.requireCompleted(flavor.name(), transcript.file()); // the session already closed that shell
        } catch (HarnessException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            transcript.note("$ " + recordedAs + "\n# harness: SSH failed: " + e.getMessage() + "\n");
            throw new HarnessException(flavor.name() + ": SSH to the node failed running '" + recordedAs + "': " + e.getMessage()
                    + vm.serialEvidence(Readiness.SERIAL_TAIL_LINES), e);
        }
    }

    public String bootId() {
        return run("cat /proc/sys/kernel/random/boot_id").out();
    }

    /**
     * Kairos's drop-in gives systemd-sysext.service 5 s for its start job and 10 s to run (JobRunningTimeoutSec,
     * TimeoutStartSec): budgets for real hardware. Under TCG on a busy host a refresh that attaches a loop device and
     * sets up dm-verity takes longer (measured on debian-13 at load 4: a DDI the policy refuses took 5.6 s after a
     * refresh, and more than 10 s at boot, where the service was killed) — a limit of the emulator, not a verdict on
     * anything — so under TCG the harness gives the service the flavor's command budget. A reference node gets it
     * from the kernel command line ({@link #TCG_TIMEOUTS_ARGUMENT}), which its image's generator turns into a drop-in
     * before PID 1 loads units, at every boot; any other node gets the drop-in on the persistent partition
     * (COS_PERSISTENT is /usr/local on the Kairos layout, mounted before systemd reads its units), written before a
     * ready state is saved, so every restore and every reboot has it.
     */
    static final String TCG_TIMEOUTS_DROP_IN = "/usr/local/lib/systemd/system/systemd-sysext.service.d/zz-harness-tcg-timeouts.conf";
    /** The kernel argument read by images/reference/files/sysext-harness-tcg-timeouts: seconds for both budgets. */
    static final String TCG_TIMEOUTS_ARGUMENT = "sysext-harness.tcg-timeouts";

    /**
     * Under TCG, makes sure systemd-sysext.service has the flavor's command budget: where the kernel command line
     * carries {@link #TCG_TIMEOUTS_ARGUMENT}, proves that PID 1 took the generator's drop-in (one {@code systemctl
     * show}, no reload); otherwise writes {@link #TCG_TIMEOUTS_DROP_IN} and reloads. Nothing under KVM.
     */
    public void relaxServiceTimeoutsUnderTcg() {
        if (accelerator != Accelerator.TCG) {
            return;
        }
        long seconds = flavor.timeouts().command().toSeconds();
        if (carriesWord(vm.commandLine(), TCG_TIMEOUTS_ARGUMENT + "=" + seconds)) {
            String show = "systemctl show systemd-sysext.service -p JobRunningTimeoutUSec -p TimeoutStartUSec";
            String said = run(show).out();
            java.util.Map<String, Long> budgets = new java.util.HashMap<>();
            said.lines().filter(l -> l.contains("=")).forEach(l -> budgets.put(l.substring(0, l.indexOf('=')),
                    Timespans.seconds(l.substring(l.indexOf('=') + 1))));
            if (budgets.getOrDefault("JobRunningTimeoutUSec", -1L) != seconds || budgets.getOrDefault("TimeoutStartUSec", -1L) != seconds) {
                throw new HarnessException(flavor.name() + ": the kernel argument " + TCG_TIMEOUTS_ARGUMENT + "=" + seconds
                        + " did not give systemd-sysext.service " + seconds + " s ('" + show + "' said: " + said.strip().replace('\n', ';')
                        + "); is the image's generator missing? Rebuild the image; evidence: " + vm.dir());
            }
            transcript.note("# harness: systemd-sysext.service has the " + seconds + " s TCG budget from the kernel command line");
            return;
        }
        writeUnitFile(TCG_TIMEOUTS_DROP_IN, "[Unit]\nJobRunningTimeoutSec=" + seconds + "\n[Service]\nTimeoutStartSec="
                + seconds + "\n");
    }

    /**
     * Loads the flavor's {@code machine.preloadModules} into this node and lets udev finish with what they add (loop
     * devices, control nodes), so that a ready state saved next has them: what systemd loads on first use would
     * otherwise be loaded again in every node restored from it. Nothing when the list is empty.
     */
    public void preloadModules() {
        java.util.List<String> modules = flavor.machine().preloadModules();
        if (modules.isEmpty()) {
            return;
        }
        // udev gets half the command's budget, so a udev that never settles says so instead of outlasting the command
        CommandResult r = sudo("modprobe -a -- " + String.join(" ", modules) + " && udevadm settle --timeout="
                + accelerator.scale(flavor.timeouts().command()).toSeconds() / 2);
        if (!r.succeeded()) {
            String said = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
            throw new HarnessException(flavor.name() + ": machine.preloadModules in vm-configs/" + flavor.name() + ".yaml failed: '"
                    + r.command() + "' exited " + r.exitCode() + (said.isEmpty() ? "" : ": " + said.lines().findFirst().orElse(""))
                    + "; evidence: " + transcript.file());
        }
    }

    /** Whether one of QEMU's arguments (say -append's) has {@code word} as a whole word: a budget of 12 is not one of 120. */
    static boolean carriesWord(java.util.List<String> commandLine, String word) {
        return commandLine.stream().anyMatch(a -> java.util.Arrays.asList(a.split("\\s+")).contains(word));
    }

    /**
     * Reboots from inside the guest ({@code systemctl reboot}: the guest's own shutdown, then its kernel resets the
     * machine), powers the machine on again when QEMU ends on that reset, and waits until a node with a different
     * boot_id is ready: over the guest channel where the machine has one (as a cold boot does), else over SSH.
     */
    @Override
    public BootIdProof reboot() {
        String before = bootId();
        Instant start = Instant.now();
        Duration deadline = accelerator.scale(flavor.timeouts().reboot());
        long serialFrom = vm.serialSize();
        transcript.note("# harness: reboot requested (boot_id " + before + ")");
        try {
            // The connection may drop before an exit status arrives; the boot_id comparison is the proof, not this.
            SerialShell channel = channelShell(true);
            if (channel != null) {
                transcript.record(channel.exec("systemctl reboot", Guest.asSudo("systemctl reboot"), Duration.ofSeconds(15)));
            } else {
                if (ssh == null || !ssh.isOpen()) {
                    ssh = SshSession.open(vm.sshPort(), flavor.login(), Duration.ofSeconds(30));
                }
                ssh.exec("sudo systemctl reboot", Duration.ofSeconds(15));
            }
        } catch (IOException | RuntimeException e) {
            transcript.note("# harness: connection dropped while rebooting: " + e.getMessage());
        }
        if (ssh != null) {
            ssh.close();
            ssh = null;
        }
        closeChannelShells();
        channelShellsAnnounce = true; // the shells of the next boot start after the new QEMU's channel is attached
        vm.powerOnAfterGuestReset(deadline, serialFrom);
        transcript.note(String.format("# harness: guest reset the machine %.1f s after the request; powered on again, QEMU pid %d",
                Duration.between(start, Instant.now()).toMillis() / 1000.0, vm.pid()));
        Duration left = deadline.minus(Duration.between(start, Instant.now()));
        if (left.isNegative()) {
            left = Duration.ofSeconds(1);
        }
        if (vm.channel() != null && channelFailure == null) {
            // as at a cold boot: the new boot's root shell says when the boot is done, with no SSH login. It cannot
            // be the old boot's (that QEMU has ended); the boot_id comparison below proves it all the same
            Readiness.Booted booted = Readiness.awaitBootOverChannel(vm, flavor, left, transcript, start);
            ready = booted.ready();
            rootChannel = booted.root();
        } else {
            Readiness.Result r = Readiness.await(vm, flavor, left, before, transcript, start);
            ssh = r.session();
            ready = r.ready();
        }
        BootIdProof proof = new BootIdProof(before, ready.bootId(), Duration.between(start, Instant.now()));
        reboots.add(proof.took());
        transcript.observe("rebooted: boot_id " + before + " -> " + proof.after());
        transcript.note("# harness: rebooted, boot_id " + before + " -> " + proof.after()
                + String.format(" in %.1f s (%s %.1f s, ready %.1f s after the request)", proof.took().toMillis() / 1000.0,
                        ready.reachedBy(), ready.sshAfter().toMillis() / 1000.0, ready.readyAfter().toMillis() / 1000.0));
        return proof;
    }

    /** A command a person can paste to log into this node while it runs. */
    public String sshCommand() {
        return "sshpass -p " + flavor.login().password() + " ssh -p " + vm.sshPort()
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null " + flavor.login().user() + "@127.0.0.1";
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
        closeChannelShells();
        vm.close();
    }

    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
