package dev.sysextharness.vm;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.ContentHash;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Whether KVM boots what a node boots on this host. On some hosts {@code /dev/kvm} exists but hangs every guest; on
 * others QEMU aborts at start under {@code -cpu host} ("failed to set MSR 0x10a"); a guest that only runs real-mode
 * code proves neither. So the probe starts QEMU exactly as a node under KVM (same accelerator, same CPU model, q35)
 * with a real kernel and {@link ProbeInitramfs}, whose init prints a marker on the serial console and powers off.
 * The verdict is remembered per host — kernel release, QEMU version, the {@code /dev/kvm} device — with its reason,
 * because a host whose KVM hangs costs the probe its whole deadline.
 */
public final class KvmProbe {
    /** A working KVM boots the kernel to the marker in about a second; TCG takes about four. */
    static final Duration DEADLINE = Duration.ofSeconds(15);
    /** Bump when what the probe boots or how it judges changes: older verdicts are then probed again. */
    static final String FORMAT = "kvm-probe-2";

    private final String qemuBinary;
    private final Path verdictDir;
    private final Path kvmDevice;
    private final Duration deadline;

    /** {@code verdictDir}: where verdicts are remembered (the cache's {@code accelerator/}). */
    public KvmProbe(String qemuBinary, Path verdictDir, Path kvmDevice) {
        this(qemuBinary, verdictDir, kvmDevice, DEADLINE);
    }

    /**
     * With another deadline: a test's stand-in for a working KVM runs the probe under TCG, whose speed on a busy host
     * is not KVM's.
     */
    KvmProbe(String qemuBinary, Path verdictDir, Path kvmDevice, Duration deadline) {
        this.qemuBinary = qemuBinary;
        this.verdictDir = verdictDir;
        this.kvmDevice = kvmDevice;
        this.deadline = deadline;
    }

    public KvmProbe(Path verdictDir) {
        this(Qemu.binary(), verdictDir, Path.of("/dev/kvm"));
    }

    /** Whether KVM can be tried at all: the device exists and this user may open it. */
    public String deviceProblem() {
        if (!Files.exists(kvmDevice)) {
            return kvmDevice + " does not exist";
        }
        if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
            return kvmDevice + " is not readable and writable by this user";
        }
        return null;
    }

    /** What KVM's behaviour depends on here; the verdict is remembered under its hash. */
    public String hostIdentity() {
        String release;
        Object rdev;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            rdev = Files.getAttribute(kvmDevice, "unix:rdev");
        } catch (IOException | UnsupportedOperationException e) {
            throw new HarnessException("cannot read the host's identity for the accelerator verdict: " + e.getMessage(), e);
        }
        long dev = rdev instanceof Number n ? n.longValue() : -1;
        return "kernel " + release + "; " + Qemu.version(qemuBinary) + "; " + kvmDevice + " " + (dev >> 8 & 0xfff) + ":"
                + (dev & 0xff) + "; -cpu " + QemuCommandLine.cpuModel(Accelerator.KVM) + "; " + FORMAT;
    }

    /** The remembered verdict for this host, else a fresh probe with the kernel {@code kernel} supplies. */
    public Verdict verdict(Supplier<Path> kernel, Progress progress) {
        String host = hostIdentity();
        Verdict known = remembered(host, progress);
        if (known != null) {
            return known;
        }
        Path k = kernel.get();
        progress.step("accelerator: probing KVM on this host (a kernel under -accel kvm -cpu host must print a marker within "
                + deadline.toSeconds() + " s; remembered in " + verdictFile(host) + ")");
        Verdict fresh = probe(k, host);
        store(fresh);
        return fresh;
    }

    /** Records a verdict reached outside the probe (a node that did not start under KVM). */
    public void remember(boolean usable, String reason) {
        store(new Verdict(usable, reason, hostIdentity(), Instant.now().toString(), false));
    }

    Verdict probe(Path kernel, String host) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sysext-harness-kvm-probe");
            Path initramfs = Files.write(dir.resolve("probe.cpio"), ProbeInitramfs.cpio());
            Path serial = dir.resolve("serial.log");
            Path log = dir.resolve("qemu.log");
            List<String> argv = List.of(qemuBinary, "-machine", "q35", "-accel", "kvm", "-cpu", QemuCommandLine.cpuModel(Accelerator.KVM),
                    "-m", "256", "-nodefaults", "-display", "none", "-vga", "none", "-monitor", "none", "-no-reboot",
                    "-kernel", kernel.toString(), "-initrd", initramfs.toString(), "-append", "console=ttyS0 panic=-1 quiet",
                    "-chardev", "file,id=serial0,path=" + serial, "-serial", "chardev:serial0");
            Instant start = Instant.now();
            Process qemu = OwnedProcesses.start(new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()));
            boolean exitedByItself;
            try {
                Awaitility.await("KVM probe marker").atMost(deadline).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                        .pollInSameThread().until(() -> markerSeen(serial) || !qemu.isAlive());
            } catch (ConditionTimeoutException e) {
                // judged below
            } finally {
                exitedByItself = !qemu.isAlive();
                OwnedProcesses.end(qemu, 1000);
            }
            double took = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            String when = Instant.now().toString();
            if (markerSeen(serial)) {
                return new Verdict(true, String.format("the probe kernel %s printed its marker under KVM in %.1f s", kernel, took),
                        host, when, false);
            }
            if (exitedByItself) {
                String said = Files.readString(log).strip().lines().findFirst().orElse("");
                return new Verdict(false, "QEMU exited at start under KVM (status " + qemu.exitValue() + ")"
                        + (said.isEmpty() ? "" : ": " + said), host, when, false);
            }
            long bytes = Files.exists(serial) ? Files.size(serial) : 0;
            return new Verdict(false, String.format("the probe kernel %s printed %s under KVM within %d s (the guest hangs)",
                    kernel, bytes == 0 ? "nothing" : "no marker", deadline.toSeconds()), host, when, false);
        } catch (IOException e) {
            throw new HarnessException("cannot run the KVM probe with " + qemuBinary + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static boolean markerSeen(Path serial) throws IOException {
        return Files.exists(serial) && Files.readString(serial).contains(ProbeInitramfs.MARKER);
    }

    Path verdictFile(String host) {
        return verdictDir.resolve("kvm-" + new ContentHash().add("host", host).hex().substring(0, 16) + ".json");
    }

    private Verdict remembered(String host, Progress progress) {
        Path file = verdictFile(host);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode j = Json.mapper().readTree(file.toFile());
            if (!j.path("host").asText().equals(host) || !j.path("usable").isBoolean() || !j.path("reason").isTextual()) {
                throw new IOException("not a verdict for this host");
            }
            return new Verdict(j.get("usable").asBoolean(), j.get("reason").asText(), host, j.path("decidedAt").asText(), true);
        } catch (IOException e) {
            progress.step("accelerator: ignoring the unreadable verdict " + file + " (" + e.getMessage() + "); probing again");
            return null;
        }
    }

    /** Written to a temporary file and renamed: a reader never sees half a verdict. */
    private void store(Verdict v) {
        Path file = verdictFile(v.host());
        try {
            Files.createDirectories(verdictDir);
            Path tmp = Files.createTempFile(verdictDir, ".verdict-", ".tmp");
            Files.writeString(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Json.mapper()
                    .createObjectNode().put("usable", v.usable()).put("reason", v.reason()).put("host", v.host())
                    .put("decidedAt", v.decidedAt())));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new HarnessException("cannot write the accelerator verdict " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** Whether KVM boots nodes on this host, and why; {@code cached} when it was remembered rather than probed now. */
    public record Verdict(boolean usable, String reason, String host, String decidedAt, boolean cached) {
    }
}
