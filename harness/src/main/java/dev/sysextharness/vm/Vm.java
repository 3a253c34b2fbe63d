package dev.sysextharness.vm;

import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * One running QEMU process, owned by the harness. Its serial console goes to a file from the first byte; its QMP
 * socket is how it is stopped. Closing it ends QEMU (QMP quit, then SIGTERM, then SIGKILL).
 */
public final class Vm implements AutoCloseable {
    private volatile Process process;
    private final Path dir;
    private final Path serialLog;
    private final Path qmpSocket;
    private final int sshPort;
    private volatile Instant startedAt;
    private final List<String> commandLine;
    private final Accelerator accelerator;
    private final GuestChannel channel;
    /** Where the console of the current QEMU process starts in the serial log (it is appended to after a reset). */
    private volatile long bootSerialFrom;
    /** The kernel panic this boot's console showed, once seen (a panicked kernel does not come back). */
    private volatile String kernelDeath;
    /** How far this boot's console has been searched for the panic marker: each poll reads only what came after. */
    private volatile long panicSearchedTo;
    /** How long QEMU may take to serve each of the channel's sockets after it starts. */
    private static final Duration CHANNEL_DEADLINE = Duration.ofSeconds(30);

    private Vm(Process process, Path dir, Path serialLog, Path qmpSocket, int sshPort, Instant startedAt, List<String> commandLine,
            Accelerator accelerator, GuestChannel channel) {
        this.accelerator = accelerator;
        this.channel = channel;
        this.process = process;
        this.dir = dir;
        this.serialLog = serialLog;
        this.qmpSocket = qmpSocket;
        this.sshPort = sshPort;
        this.startedAt = startedAt;
        this.commandLine = commandLine;
    }

    /**
     * Starts QEMU in {@code dir} (serial.log, qmp.sock, qemu.log, command-line.txt are written there).
     * {@code cmd} must already carry the disk and ports; serial and QMP paths are set here.
     */
    public static Vm start(QemuCommandLine cmd, Path dir, int sshPort) {
        return start(cmd, dir, sshPort, false, false);
    }

    /**
     * As {@link #start(QemuCommandLine, Path, int)}, for a machine made ahead of the node that will take it
     * ({@link #takenInto}): with {@code lowPriority} QEMU runs at the lowest CPU priority ({@code nice -n 19}, which
     * command-line.txt does not show), so that making it takes only the CPU the running nodes leave idle; its QMP socket goes to a
     * directory of its own under /tmp, since the directory it moves to may have a path too long for a unix socket.
     */
    public static Vm startAhead(QemuCommandLine cmd, Path dir, int sshPort, boolean lowPriority) {
        return start(cmd, dir, sshPort, true, lowPriority);
    }

    private static Vm start(QemuCommandLine cmd, Path dir, int sshPort, boolean qmpOutsideDir, boolean lowPriority) {
        try {
            Files.createDirectories(dir);
            Path serial = dir.resolve("serial.log");
            // unix socket paths are limited to 108 bytes: keep the socket short, in the VM's own dir if it fits
            Path qmp = dir.resolve("qmp.sock");
            if (qmpOutsideDir || qmp.toAbsolutePath().toString().length() > 100) {
                qmp = Files.createTempDirectory("sxh").resolve("qmp.sock");
            }
            Files.deleteIfExists(serial);
            GuestChannel channel = cmd.wantsGuestChannel() ? GuestChannel.create() : null;
            Vm vm;
            try {
                List<String> argv = cmd.serialLog(serial).qmpSocket(qmp).channel(channel).build();
                Files.write(dir.resolve("command-line.txt"), List.of(shellQuoted(argv)));
                List<String> launched = new ArrayList<>();
                if (lowPriority) {
                    launched.addAll(List.of("nice", "-n", "19")); // nice execs QEMU: the same process
                }
                launched.addAll(argv);
                ProcessBuilder pb = new ProcessBuilder(launched)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("qemu.log").toFile());
                Instant started = Instant.now();
                Process p = OwnedProcesses.start(pb);
                vm = new Vm(p, dir, serial, qmp, sshPort, started, argv, cmd.accelerator(), channel);
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close(); // its socket directory under /tmp goes with it
                }
                if (!qmp.startsWith(dir)) {
                    Files.deleteIfExists(qmp.getParent());
                }
                throw e;
            }
            if (channel != null) {
                try {
                    channel.connect(vm.process, CHANNEL_DEADLINE);
                } catch (RuntimeException e) {
                    if (!vm.isAlive()) {
                        return vm; // QEMU exited at start: its status and output are the cause, as for a VM without a channel
                    }
                    vm.close();
                    throw new HarnessException(e.getMessage() + "; " + vm.qemuOutput(), e);
                }
            }
            return vm;
        } catch (IOException e) {
            throw new HarnessException("cannot prepare VM directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A machine {@link #startAhead made ahead}, taken by the node it now is: every QEMU thread back at the normal CPU
     * priority, and the directory moved to {@code target} (absent, or an empty directory, on the same filesystem; a
     * directory with files in it gets this one's files moved in one by one). QEMU keeps its open files (disk overlay,
     * serial log, its own output), so nothing it does notices; the command line is rewritten to the new paths, for
     * command-line.txt and for a power-on after a guest reset. This object must not be used or closed afterwards.
     */
    public Vm takenInto(Path target) {
        atNormalPriority();
        return movedTo(target);
    }

    /**
     * Nice 0 for each of QEMU's threads, at once if they are already (a thread's priority is its own on Linux; threads
     * made later inherit their maker's). A thread that ended meanwhile makes renice fail for it alone, so what counts
     * is the check afterwards: every thread still there runs at 0.
     */
    public void atNormalPriority() {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        List<String> niced = nicedThreads(tasks);
        if (niced.isEmpty()) {
            return; // started at the normal priority
        }
        // a thread a niced one starts meanwhile inherits its nice value: a few rounds, until none is left
        for (int round = 0; round < 3 && !niced.isEmpty(); round++) {
            List<String> cmd = new ArrayList<>(List.of("renice", "-n", "0", "-p"));
            cmd.addAll(niced);
            try {
                OwnedProcesses.run(cmd, 10);
            } catch (HarnessException e) {
                // judged by the next listing
            }
            niced = nicedThreads(tasks);
        }
        if (!niced.isEmpty()) {
            throw new HarnessException("QEMU " + process.pid() + ": threads " + niced + " still run below the normal CPU priority after renice");
        }
    }

    /** The threads of this QEMU whose nice value (field 19 of their stat) is not 0; one that ended meanwhile is none. */
    private List<String> nicedThreads(Path tasks) {
        List<String> niced = new ArrayList<>();
        for (String tid : threads(tasks)) {
            try {
                String stat = Files.readString(tasks.resolve(tid).resolve("stat"));
                if (!stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16].equals("0")) {
                    niced.add(tid);
                }
            } catch (IOException e) {
                // ended since it was listed
            }
        }
        return niced;
    }

    private List<String> threads(Path tasks) {
        try (var list = Files.list(tasks)) {
            return list.map(t -> t.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new HarnessException("cannot list the threads of QEMU " + process.pid() + ": " + e.getMessage(), e);
        }
    }

    private Vm movedTo(Path target) {
        Path from = dir.toAbsolutePath();
        Path to = target.toAbsolutePath();
        try {
            Files.createDirectories(to.getParent());
            boolean empty = !Files.exists(to);
            if (!empty) {
                try (var children = Files.list(to)) {
                    empty = children.findAny().isEmpty();
                }
            }
            if (empty) {
                Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                try (var children = Files.list(from)) {
                    for (Path child : children.toList()) {
                        Files.move(child, to.resolve(child.getFileName()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    }
                }
                Files.delete(from);
            }
            // this directory's paths only: the directory itself, or a path under it
            List<String> argv = commandLine.stream().map(a -> a.equals(from.toString()) ? to.toString()
                    : a.replace(from + "/", to + "/")).toList();
            Files.write(to.resolve("command-line.txt"), List.of(shellQuoted(argv)));
            // the QMP socket stays where it is: startAhead put it under /tmp
            return new Vm(process, to, to.resolve(from.relativize(serialLog.toAbsolutePath())), qmpSocket, sshPort, startedAt, argv,
                    accelerator, channel);
        } catch (IOException e) {
            throw new HarnessException("cannot move the directory of the VM in " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The accelerator QEMU runs this guest with. */
    public Accelerator accelerator() {
        return accelerator;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Whether the guest can still answer: QEMU runs and the kernel of this boot has not panicked (the reference
     * kernels boot without {@code panic=}, so a panicked guest hangs with QEMU alive).
     */
    public boolean guestAnswers() {
        return isAlive() && kernelDeath().isEmpty();
    }

    /** The panic line of this boot's kernel, with its cause, if its console shows one ({@link KernelDeath}). */
    public Optional<String> kernelDeath() {
        if (kernelDeath == null) {
            long end = serialSize();
            if (end > panicSearchedTo) {
                // back by the marker's length, so a marker split across two polls is still seen whole
                long from = Math.max(bootSerialFrom, panicSearchedTo - KernelDeath.PANIC.length());
                if (serialSince(from).contains(KernelDeath.PANIC)) {
                    kernelDeath = KernelDeath.in(serialSince(bootSerialFrom)).orElse(null);
                }
                panicSearchedTo = end;
            }
        }
        return Optional.ofNullable(kernelDeath);
    }

    public Path dir() {
        return dir;
    }

    public Path serialLog() {
        return serialLog;
    }

    public int sshPort() {
        return sshPort;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public List<String> commandLine() {
        return Collections.unmodifiableList(commandLine);
    }

    public Path qmpSocket() {
        return qmpSocket;
    }

    /** What QEMU itself said (errors at start, e.g. a port in use). */
    public String qemuOutput() {
        try {
            return Files.readString(dir.resolve("qemu.log")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for QEMU to exit on its own (an installer powering off); true if it did within the deadline. */
    public boolean waitForExit(Duration deadline) throws InterruptedException {
        return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Bytes of serial console written so far: where output after some moment starts. */
    public long serialSize() {
        try {
            return Files.exists(serialLog) ? Files.size(serialLog) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The other half of a guest reboot under {@code -no-reboot}: the guest's reset ends QEMU, and this powers the
     * same machine (same disk, ports, serial log, minus any {@code -incoming}) on in a new process. Under TCG a boot
     * after a reset inside the same process cost about twice the CPU of a first boot (README, "Reboots"). Fails, with the serial tail, unless QEMU ended cleanly and the guest kernel said
     * "reboot: Restarting system" after {@code serialFrom}: a power-off or a crash is not a reboot.
     */
    public void powerOnAfterGuestReset(Duration deadline, long serialFrom) {
        if (!commandLine.contains("-no-reboot")) {
            throw new IllegalStateException("VM in " + dir + " was not started with -no-reboot");
        }
        try {
            Awaitility.await("guest reset of the VM in " + dir).atMost(deadline)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                    .failFast("the guest kernel panicked", () -> kernelDeath().isPresent())
                    .until(() -> !process.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new HarnessException("guest in " + dir + " did not reset within " + deadline.toSeconds() + " s of the reboot"
                    + " request" + serialEvidence(40));
        } catch (TerminalFailureException e) {
            throw new HarnessException("the guest kernel in " + dir + " panicked instead of resetting after the reboot request: "
                    + kernelDeath().orElseThrow() + serialEvidence(40));
        }
        String after = serialSince(serialFrom);
        if (process.exitValue() != 0 || !after.contains("reboot: Restarting system")) {
            throw new HarnessException("QEMU in " + dir + " ended with status " + process.exitValue()
                    + " but the guest kernel never said 'reboot: Restarting system'; " + qemuOutput() + serialEvidence(40));
        }
        List<String> argv = QemuCommandLine.withAnonymousRam(commandLine);
        int incoming = argv.indexOf("-incoming");
        if (incoming >= 0) {
            argv.subList(incoming, incoming + 2).clear();
        }
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("qemu.log").toFile()));
        bootSerialFrom = serialSize();
        panicSearchedTo = bootSerialFrom;
        kernelDeath = null;
        startedAt = Instant.now();
        process = OwnedProcesses.start(pb);
        if (channel != null) {
            channel.connect(process, CHANNEL_DEADLINE);
        }
    }

    /** The harness's command channel into the guest, connected to the running QEMU; null when the machine has none. */
    public GuestChannel channel() {
        return channel;
    }

    private String serialSince(long from) {
        try (RandomAccessFile f = new RandomAccessFile(serialLog.toFile(), "r")) {
            long start = Math.min(from, f.length());
            byte[] buf = new byte[(int) Math.min(f.length() - start, 4L * 1024 * 1024)];
            f.seek(f.length() - buf.length);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs QMP commands on a fresh session. */
    public <T> T qmp(QmpAction<T> action) {
        try (Qmp qmp = Qmp.connect(qmpSocket, Duration.ofSeconds(10), process)) {
            return action.apply(qmp);
        } catch (IOException e) {
            throw new HarnessException("QMP on VM " + dir.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The last {@code n} lines of the serial console, for failure messages. */
    public String serialTail(int n) {
        return tail(serialLog, n);
    }

    /** The serial tail as failure messages carry it: a header naming the log, then its last {@code n} lines. */
    public String serialEvidence(int n) {
        return "\n--- last " + n + " lines of " + serialLog + " ---\n" + serialTail(n);
    }

    static String tail(Path file, int n) {
        if (!Files.exists(file)) {
            return "(no serial output yet)";
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - 64 * 1024);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            List<String> lines = new ArrayList<>(new String(buf, StandardCharsets.UTF_8)
                    .replace("\r", "").replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").lines().toList());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try (Qmp qmp = Qmp.connect(qmpSocket, Duration.ofSeconds(2), process)) {
                qmp.execute("quit", Map.of());
            } catch (IOException | HarnessException e) {
                // QMP gone: fall through to signals
            }
            OwnedProcesses.end(process, 3000);
        }
        if (channel != null) {
            channel.close();
        }
        if (!qmpSocket.startsWith(dir)) {
            try {
                Files.deleteIfExists(qmpSocket);
                Files.deleteIfExists(qmpSocket.getParent());
            } catch (IOException ignored) {
                // a leftover empty temp dir is harmless
            }
        }
    }

    private static String shellQuoted(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    @FunctionalInterface
    public interface QmpAction<T> {
        T apply(Qmp qmp) throws IOException;
    }
}
