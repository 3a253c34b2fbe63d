package dev.sysextharness.vm;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.ContentHash;
import dev.sysextharness.host.ImageCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Saved ready states in the image cache, keyed by everything that shapes them: the boot disk (path, size, mtime),
 * kernel and initramfs, the QEMU version, the machine (accelerator, memory, cpus, devices), the modules loaded before
 * the save and the state format.
 */
public final class SavedStates {
    static final String KIND = "state";
    /** Bump when what a saved state contains or how it is taken changes. */
    // 3: saved with the TCG timeouts drop-in (guest.Node); 4: the RAM as a file beside a stream without it;
    // 5: with a clock stepper waiting (guest.ClockStepper); 6: a channel boot is ready only with its network configured
    // (guest.Readiness), so no state is saved before the guest has its address; 7: a clock stepper that can step twice (a
    // restore made ahead, guest.Spares)
    static final String FORMAT = "sysext-harness-state-7";
    /** The migration capability that leaves a shared RAM file out of the stream (QEMU >= 4.0; "x-": experimental). */
    public static final Map<String, Object> IGNORE_SHARED_RAM = Map.of("capabilities",
            List.of(Map.of("capability", "x-ignore-shared", "state", true)));
    private static final Duration MIGRATE_DEADLINE = Duration.ofSeconds(120);

    private final ImageCache cache;

    public SavedStates(ImageCache cache) {
        this.cache = cache;
    }

    /** {@code preloadedModules}: what the node loads before it is saved (none: a key as before the list existed). */
    public String key(BootDisk disk, QemuCommandLine machine, List<String> preloadedModules) {
        ContentHash h = new ContentHash().add("format", FORMAT).add("qemu", Qemu.version(machine.binary()));
        if (!preloadedModules.isEmpty()) {
            h.add("modules", String.join(" ", preloadedModules));
        }
        fileIdentity(h, "disk", disk.disk());
        if (disk.directKernel()) {
            fileIdentity(h, "kernel", disk.kernel());
            fileIdentity(h, "initrd", disk.initrd());
            h.add("append", disk.append());
        }
        return h.add("machine", String.join(" ", machine.machineArguments())).hex();
    }

    private static void fileIdentity(ContentHash h, String name, Path p) {
        try {
            h.add(name, p.toAbsolutePath() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
        } catch (IOException e) {
            throw new HarnessException("cannot stat " + p + ": " + e.getMessage(), e);
        }
    }

    /** A usable state for this key, or null with the reason logged by the caller through {@code why}. */
    public SavedState find(String key, StringBuilder why) {
        Path dir = cache.find(KIND, key);
        if (dir == null) {
            why.append("no saved state yet");
            return null;
        }
        try {
            JsonNode meta = Json.mapper().readTree(dir.resolve("state.json").toFile());
            java.util.List<String> failed = null;
            if (meta.path("failedUnits").isArray()) {
                failed = new java.util.ArrayList<>();
                for (JsonNode u : meta.path("failedUnits")) {
                    failed.add(u.asText());
                }
            }
            SavedState state = new SavedState(dir, meta.path("frozenSha256").asText(), meta.path("bootId").asText(),
                    meta.path("systemd").asText(null), meta.path("systemState").asText(null), failed,
                    meta.path("clockStepper").isInt() ? meta.path("clockStepper").asInt() : null);
            if (!Files.isRegularFile(state.ram())) {
                why.append("saved state ").append(dir).append(" has no RAM file ").append(SavedState.RAM);
                return null;
            }
            String now = sha256(state.frozenOverlay());
            if (!now.equals(state.frozenSha256())) {
                why.append("the frozen overlay ").append(state.frozenOverlay()).append(" changed since the state was saved");
                return null;
            }
            return state;
        } catch (IOException e) {
            why.append("unreadable saved state in ").append(dir).append(": ").append(e.getMessage());
            return null;
        }
    }

    /** Removes a state that failed to restore, so the next cold boot saves a fresh one. */
    public void discard(String key) {
        cache.remove(KIND, key);
    }

    /**
     * Freezes a ready VM whose RAM is the shared file {@code ram} ({@link QemuCommandLine#ramFile}): QMP stop (which
     * flushes its disks), migrate its devices to a file with the RAM left out, quit; the RAM file and the overlay
     * become the state's. The VM is gone afterwards; restore it to go on.
     */
    public SavedState save(String key, Vm vm, Path overlay, Path ram, String bootId, String systemd, String systemState,
            java.util.List<String> failedUnits, Integer clockStepper) {
        if (find(key, new StringBuilder()) == null) {
            discard(key); // a complete but unusable entry would otherwise be "found" instead of rebuilt
        }
        Path dir = cache.getOrBuild(KIND, key, (into, progress) -> {
            Path vmstate = into.resolve(SavedState.VMSTATE);
            vm.qmp(qmp -> {
                qmp.execute("stop", Map.of());
                qmp.execute("migrate-set-capabilities", IGNORE_SHARED_RAM);
                qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", 10L * 1024 * 1024 * 1024));
                qmp.execute("migrate", Map.of("uri", "exec:cat > " + vmstate));
                try {
                    Awaitility.await("migration of " + vm.dir() + " to " + vmstate).atMost(MIGRATE_DEADLINE)
                            .pollDelay(Duration.ofMillis(50)).pollInterval(Duration.ofMillis(50)).pollInSameThread()
                            .until(() -> {
                                String status = qmp.execute("query-migrate", Map.of()).path("status").asText();
                                if (status.equals("failed") || status.equals("cancelled")) {
                                    throw new IOException("migration " + status);
                                }
                                return status.equals("completed");
                            });
                } catch (ConditionTimeoutException e) {
                    throw new IOException("migration did not complete within " + MIGRATE_DEADLINE.toSeconds() + " s");
                }
                qmp.execute("quit", Map.of());
                return null;
            });
            awaitExit(vm);
            Path keptRam = into.resolve(SavedState.RAM);
            moveSparse(ram, keptRam);
            // not read-only like the frozen overlay: QEMU 7.2 opens a memory-backend-file read-write even to map it
            // privately (share=off), which it does without ever writing it
            Files.setPosixFilePermissions(keptRam, PosixFilePermissions.fromString("rw-r--r--"));
            Path frozen = into.resolve(SavedState.FROZEN);
            Files.move(overlay, frozen);
            Files.setPosixFilePermissions(frozen, PosixFilePermissions.fromString("r--r--r--"));
            // the firmware's store belongs with the RAM that maps it: a restore starts from a copy of this one
            Path vars = overlay.resolveSibling(SavedState.UEFI_VARS);
            if (Files.isRegularFile(vars)) {
                Path kept = into.resolve(SavedState.UEFI_VARS);
                Files.move(vars, kept);
                Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("r--r--r--"));
            }
            com.fasterxml.jackson.databind.node.ObjectNode meta = Json.mapper().createObjectNode()
                    .put("frozenSha256", sha256(frozen)).put("bootId", bootId).put("systemd", systemd)
                    .put("systemState", systemState).put("savedFrom", vm.dir().toString());
            failedUnits.forEach(meta.putArray("failedUnits")::add);
            if (clockStepper != null) {
                meta.put("clockStepper", clockStepper);
            }
            Files.writeString(into.resolve("state.json"), meta.toString());
        }, progress -> { });
        StringBuilder why = new StringBuilder();
        SavedState state = find(key, why);
        if (state == null) {
            throw new HarnessException("saved state " + dir + " is unusable right after saving: " + why);
        }
        return state;
    }

    /**
     * A rename where it can be one; across file systems a copy that keeps the holes (a 1 GiB guest's RAM file holds a
     * few hundred MB of data), then the original goes.
     */
    static void moveSparse(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            dev.sysextharness.host.OwnedProcesses.run(List.of("cp", "--sparse=always", from.toString(), to.toString()), 300);
            Files.delete(from);
        }
    }

    private static void awaitExit(Vm vm) throws IOException {
        try {
            if (!vm.waitForExit(Duration.ofSeconds(30))) {
                throw new IOException("QEMU did not quit after the state was saved");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            MessageDigest d = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
