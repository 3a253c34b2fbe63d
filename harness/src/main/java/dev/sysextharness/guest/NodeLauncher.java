package dev.sysextharness.guest;

import dev.sysextharness.host.Durations;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Progress;
import dev.sysextharness.vm.Accelerator;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.BootDisk;
import dev.sysextharness.vm.Firmware;
import dev.sysextharness.vm.GuestForward;
import dev.sysextharness.vm.Overlay;
import dev.sysextharness.vm.Qemu;
import dev.sysextharness.vm.QemuCommandLine;
import dev.sysextharness.vm.SavedState;
import dev.sysextharness.vm.SavedStates;
import dev.sysextharness.vm.Vm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;

/**
 * Boots a node of a flavor on its own qcow2 overlay of a base disk and waits until it is ready:
 * {@code try (Node node = new NodeLauncher(flavor, disk).evidenceDir(dir).start()) { ... }}.
 */
public final class NodeLauncher {
    private final Flavor flavor;
    private final BootDisk disk;
    private AcceleratorChoice accel = AcceleratorChoice.fixed(Accelerator.TCG);
    private String qemuBinary = Qemu.binary();
    private Path evidenceDir;
    private GuestForward guestForward;
    private Progress progress = Progress.silent();
    private SavedStates states;
    private Spares spares;
    private Path uefiVars;
    private List<Firmware.DbCertificate> firmwareDb = List.of();
    private int nodesAtOnce = 1;
    private static final Map<String, Object> SAVING = new ConcurrentHashMap<>();

    /**
     * Where, under a node's evidence directory, the cold boot that made its saved state went: a node with this
     * directory was not merely restored, it paid for the cold boot and the save first.
     */
    public static final String SAVED_FIRST_DIR = "cold-boot-before-save";

    public NodeLauncher(Flavor flavor, BootDisk disk) {
        this.flavor = flavor;
        this.disk = disk;
    }

    /** Always this accelerator (never probed, never switched). */
    public NodeLauncher accelerator(Accelerator accelerator) {
        this.accel = AcceleratorChoice.fixed(accelerator);
        return this;
    }

    /** The run's accelerator choice: probed on first use, switched to TCG for the run if a node does not start under KVM. */
    public NodeLauncher accelerator(AcceleratorChoice choice) {
        this.accel = choice;
        return this;
    }

    /**
     * How many nodes the run keeps going at once (its {@code --jobs}): under TCG they share the host's cores, and
     * each node gets {@link #vcpus} of them.
     */
    public NodeLauncher nodesAtOnce(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes at once: expected at least 1, got " + nodes);
        }
        this.nodesAtOnce = nodes;
        return this;
    }

    /**
     * The node's vCPUs: the flavor's, except that under TCG, where every vCPU is a host thread emulating, the nodes
     * that run at once share the host's cores and none gets more than its share (at least one). Measured on 2 cores,
     * debian-12, the default suite on restored nodes: two nodes at once with one vCPU each took 158 s, with two vCPUs
     * each 220 s, one node at a time with two vCPUs 280 s; a cell in a node that shares no core ran no slower with one
     * vCPU (median 2.4 s against 2.8 s), while a cold boot to {@code login:} is faster with two (13 against 20 s). So
     * one node at a time keeps the flavor's vCPUs. A reboot, a boot after all, pays for this most: in the four-flavor
     * matrix with two one-vCPU nodes at once, debian-12's reboots took 25-35 s and debian-sid's 59-105 s, against
     * 16-20 s for debian-12 alone with two vCPUs. Under KVM a vCPU is the host's own CPU and the flavor's count stands.
     */
    static int vcpus(int flavorCpus, Accelerator accelerator, int nodesAtOnce, int hostCores) {
        if (accelerator != Accelerator.TCG) {
            return flavorCpus;
        }
        return Math.max(1, Math.min(flavorCpus, hostCores / nodesAtOnce));
    }

    private int vcpus(Accelerator accelerator) {
        return vcpus(flavor.machine().cpus(), accelerator, nodesAtOnce, Runtime.getRuntime().availableProcessors());
    }

    /** For the transcript: the node's vCPUs, and why, when it got fewer than its flavor's. */
    private String vcpuNote(Accelerator accelerator) {
        int n = vcpus(accelerator);
        return n + " vCPU" + (n == 1 ? "" : "s") + (n == flavor.machine().cpus() ? ""
                : " of the flavor's " + flavor.machine().cpus() + ": " + nodesAtOnce + " nodes at once share "
                + Runtime.getRuntime().availableProcessors() + " host cores under TCG");
    }

    /** Where the overlay, serial log, transcript and QEMU command line of this node go. */
    public NodeLauncher evidenceDir(Path dir) {
        this.evidenceDir = dir;
        return this;
    }

    /** Another QEMU binary than {@link Qemu#binary()} (a wrapper). */
    public NodeLauncher qemuBinary(String binary) {
        this.qemuBinary = binary;
        return this;
    }

    public NodeLauncher guestForward(GuestForward forward) {
        this.guestForward = forward;
        return this;
    }

    public NodeLauncher progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    public BootDisk disk() {
        return disk;
    }

    /** The QEMU command line this launcher will use now, for a given overlay and SSH port. */
    public QemuCommandLine commandLine(Path overlay, int sshPort) {
        return commandLine(overlay, sshPort, accel.current());
    }

    private QemuCommandLine commandLine(Path overlay, int sshPort, Accelerator accelerator) {
        QemuCommandLine cmd = new QemuCommandLine()
                .binary(qemuBinary)
                .accel(accelerator)
                .memoryMiB(flavor.machine().memoryMiB())
                .cpus(vcpus(accelerator))
                .disk(overlay)
                .sshHostPort(sshPort)
                .guestForward(guestForward)
                // a guest reboot ends QEMU and Node.reboot powers the machine on in a fresh process (Vm#powerOnAfterGuestReset)
                .noReboot(true)
                // the reference image's shells sit on the channel's ports (images/reference/files/sysext-harness-shell-*.service)
                .guestChannel(flavor.family() == dev.sysextharness.flavor.Family.REFERENCE);
        if (uefiVars != null) {
            cmd.uefi(Path.of(dev.sysextharness.vm.Firmware.OVMF_CODE), overlay.resolveSibling(SavedState.UEFI_VARS), uefiVars);
        }
        String append = disk.append() + tcgArguments(accelerator);
        if (disk.directKernel() && uefiVars != null) {
            // OVMF loads a kernel with an EFI stub: the bzImage beside an unpacked vmlinux, and the initramfs it came with
            Path bz = disk.kernel().resolveSibling("vmlinuz");
            Path initrd = disk.initrd().resolveSibling("initrd.img");
            if (!Files.isRegularFile(bz) || !Files.isRegularFile(initrd)) {
                throw new HarnessException(flavor.name() + ": booting under UEFI firmware needs the image's vmlinuz and initrd.img"
                        + " beside " + disk.kernel() + "; rebuild the image (harness/bin/sysext-harness build --flavor " + flavor.name() + ")");
            }
            cmd.directKernel(bz, initrd, append);
        } else if (disk.directKernel()) {
            cmd.directKernel(disk.kernel(), disk.initrd(), append);
        } else {
            cmd.bootOrder("c"); // the disk's own bootloader (an installed Kairos disk)
        }
        return cmd;
    }

    /**
     * Under TCG, the kernel arguments for a disk the harness boots by its kernel: the one by which the reference
     * image's generator gives systemd-sysext.service the flavor's command budget ({@link Node#TCG_TIMEOUTS_ARGUMENT}),
     * {@link #TSC_UNSTABLE}, {@link #NORANDMAPS}, {@link #SKIP_KDF108_SELF_TEST} and {@link #NO_CPU_CRYPTO_MODULES}.
     * Empty otherwise, and for a disk booted by its own loader (an installed Kairos disk, which gets a drop-in at run
     * time instead).
     */
    private String tcgArguments(Accelerator accelerator) {
        return accelerator == Accelerator.TCG && disk.directKernel() && flavor.family() == dev.sysextharness.flavor.Family.REFERENCE
                ? " " + String.join(" ", Node.TCG_TIMEOUTS_ARGUMENT + "=" + flavor.timeouts().command().toSeconds(), TSC_UNSTABLE,
                        NORANDMAPS, SKIP_KDF108_SELF_TEST, NO_CPU_CRYPTO_MODULES)
                : "";
    }

    /**
     * Turns off the guest's user-space address randomisation under TCG, because there it made every program start
     * translate its code afresh: with ASLR each start maps ld.so, libc and libsystemd-shared somewhere else, and QEMU
     * (bookworm's 7.2) found none of the last start's translations again. Counted with the monitor's {@code info jit}
     * on debian-12: 100 starts of {@code systemctl show} added 788,000 translation blocks with ASLR (about 7,900 a
     * start, and the 1 GiB code buffer filled and was flushed), 2,700 without. Timed, two boots each way: /bin/true
     * 13 ms against 43 ms, systemctl show 95 against 180 ms, journalctl 65 against 130 ms, sudo 90 against 250 ms;
     * the boot to login: 12.5 s against 17.3 s; and in a restored node, whose QEMU starts with no translations at
     * all, one round of a cell's closing reads 0.99 s against 2.05 s. Nothing systemd-sysext does depends on where a
     * program's libraries are mapped; the kernel's own layout (KASLR) is untouched.
     */
    static final String NORANDMAPS = "norandmaps";

    /**
     * Skips the one built-in initcall whose whole work is a self-test that {@code cryptomgr.notests} does not turn off:
     * the SP 800-108 KDF's test vectors, 0.44 s of the kernel's 2.3 s of initcalls under TCG ({@code initcall_debug},
     * debian-12). The KDF itself stays in the kernel; only its test at boot is not run.
     */
    static final String SKIP_KDF108_SELF_TEST = "initcall_blacklist=crypto_kdf108_init";

    /**
     * Keeps udev from loading, for each feature the emulated CPU ({@code -cpu max}) advertises, the kernel's
     * CPU-accelerated crypto drivers: AES-NI, GHASH, SHA-1/256/512 and the CRC ones. Each costs 70-240 ms of emulated
     * CPU to load under TCG, the node encrypts nothing, and the generic C versions the kernel has built in (or, for
     * crc32c, already in the initramfs) do the hashing that dm-verity and ext4 need. Three boots each way, alternating,
     * on debian-12, with {@link #SKIP_KDF108_SELF_TEST}: serial {@code login:} 15.6-16.5 s against 16.5-17.7 s, and
     * 0.9 s less guest CPU (udev 0.8 s of it). A kernel argument rather than the image's modprobe-blacklist.conf
     * because only TCG pays for them: under KVM they load in milliseconds, as on a real node.
     */
    static final String NO_CPU_CRYPTO_MODULES = "module_blacklist=aesni_intel,ghash_clmulni_intel,sha1_ssse3,sha256_ssse3,sha512_ssse3,"
            + "crct10dif_pclmul,crc32_pclmul,crc32c_intel";

    /**
     * Keeps a TCG guest's kernel from marking sched_clock stable, which patches a static branch inside
     * sched_clock_cpu() while the other vCPU runs it. Under multi-threaded TCG that vCPU sometimes still executed the
     * patch's transient int3 afterwards: "Oops: int3" at sched_clock_cpu+0x9 and a panic about 3 s into the boot, seen
     * once on debian-sid (7.2) and once on debian-13 (6.12), both right after "sched_clock: Marking stable". With the
     * TSC unstable that key is never enabled (the kernel says "Marking TSC unstable due to boot parameter") and
     * sched_clock keeps its per-CPU filtering; the clocksource becomes another timer, which sysext does not care about.
     */
    static final String TSC_UNSTABLE = "tsc=unstable";

    /**
     * Boot under UEFI firmware (OVMF) on a private copy of the variable store {@code vars} (one whose db holds a
     * certificate, say: {@link dev.sysextharness.vm.Firmware#varsWithDb}), the kernel as the bzImage with its EFI stub.
     * A saved state of such a node keeps the store as it was at the save, and each restore runs on a copy of that.
     * {@code db}: the certificates the store's db holds; a cold boot proves from the kernel's log that each reached
     * a keyring before the node is used or saved, and the node reports their fingerprints to the oracle.
     */
    public NodeLauncher uefi(Path vars, List<Firmware.DbCertificate> db) {
        this.uefiVars = vars;
        this.firmwareDb = List.copyOf(db);
        return this;
    }

    /** Start from a saved ready state where one is valid (saving one after the first cold boot); null: always cold. */
    public NodeLauncher savedStates(SavedStates states) {
        this.states = states;
        return this;
    }

    /**
     * Restores made ahead from {@code spares} where one matches, and after each restore the next one made there (a
     * reference node's, restored over its guest channel; null: every restore on request). See {@link Spares}.
     */
    public NodeLauncher spares(Spares spares) {
        this.spares = spares;
        return this;
    }

    /**
     * A ready node: restored from a saved state when a valid one exists, else cold-booted (and, with saved states
     * on, frozen into a new state and restored from it, so every node starts from the same point).
     */
    public Node start() {
        if (states == null) {
            Node cold = coldBoot(evidenceDir, null);
            cold.relaxServiceTimeoutsUnderTcg();
            return cold;
        }
        Accelerator accelerator = accel.current();
        String key = stateKey(accelerator);
        StringBuilder why = new StringBuilder();
        SavedState state = states.find(key, why);
        if (state != null) {
            try {
                return restore(state);
            } catch (RuntimeException e) {
                why.append("restore failed: ").append(e.getMessage().lines().findFirst().orElse(""));
                states.discard(key);
            }
        }
        // One thread makes the state; parallel starts of the same disk wait for it instead of all cold-booting.
        synchronized (SAVING.computeIfAbsent(key, k -> new Object())) {
            SavedState meanwhile = states.find(key, new StringBuilder());
            if (meanwhile != null) {
                return restore(meanwhile);
            }
            progress.step(flavor.name() + ": " + why + "; cold boot, then save the ready state");
            // its RAM a shared file, which the save keeps instead of copying it into the migration stream
            Path coldDir = evidenceDir.resolve(SAVED_FIRST_DIR);
            Path ram = coldDir.resolve(SavedState.RAM);
            try {
                return coldBootAndSave(coldDir, ram, key, accelerator);
            } finally {
                deleteQuietly(ram); // still there only when the node was not saved
            }
        }
    }

    /** Cold-boots in {@code coldDir} with its RAM the shared file {@code ram}, saves it as the ready state, restores it. */
    private Node coldBootAndSave(Path coldDir, Path ram, String key, Accelerator accelerator) {
        Node cold = coldBoot(coldDir, ram);
        if (cold.accelerator() != accelerator) { // the run switched to TCG: the state is TCG's
            String tcgKey = stateKey(cold.accelerator());
            SavedState existing = states.find(tcgKey, new StringBuilder());
            if (existing != null) {
                cold.close();
                return restore(existing);
            }
            key = tcgKey;
        }
        SavedState saved;
        try {
            cold.relaxServiceTimeoutsUnderTcg();
            cold.preloadModules();
            refuseToSaveBadness(cold);
            cold.proveChannel();
            Integer stepper = startClockStepper(cold);
            SystemAtSave system = systemAtSave(cold);
            cold.detachSession();
            saved = states.save(key, cold.vm(), cold.vm().dir().resolve("overlay.qcow2"), ram, cold.ready().bootId(),
                    cold.ready().systemdVersion(), system.state(), system.failedUnits(), stepper);
        } finally {
            cold.close();
        }
        return restore(saved);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            // evidence of a node that was not saved: a leftover RAM file costs disk, not correctness
        }
    }

    /**
     * A saved state is what every later node of the flavor starts from, so it must be clean: a kernel trace or a core
     * dump from the cold boot (seen here from a boot starved of CPU: an RCU stall's Call Trace) would otherwise fail
     * every cell restored from it, run after run, and point at those cells instead of the boot. Nothing is saved; the
     * next node boots cold again.
     */
    private void refuseToSaveBadness(Node cold) {
        List<String> bad = Badness.scan(cold);
        if (!bad.isEmpty()) {
            cold.transcript().note("# harness: not saved as the ready state, the cold-booted node shows: " + String.join(" | ", bad));
            throw new HarnessException(flavor.name() + ": the cold-booted node already shows " + bad.get(0)
                    + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more)" : "") + " before anything ran, so it is not saved as the"
                    + " ready state; evidence: " + cold.vm().dir());
        }
    }

    /**
     * Leaves a {@link ClockStepper} waiting in a node restored over its channel (its readiness runs in the saved root
     * shell); null, and a restore steps the clock with {@code date}, where there is no channel or the stepper does not
     * start (say, an image without perl), which the transcript notes.
     */
    private Integer startClockStepper(Node cold) {
        if (cold.vm().channel() == null) {
            return null;
        }
        CommandResult r = cold.sudo(ClockStepper.startCommand());
        Integer pid = ClockStepper.pid(r);
        cold.transcript().note(pid == null ? "# harness: no clock stepper started (exit " + r.exitCode() + "): a restore steps the"
                + " clock with date" : "# harness: clock stepper waiting as pid " + pid + " for the restore's step");
        return pid;
    }

    /** What systemd says of a node as it is frozen: what every restore of it would be told, as long as nothing runs in between. */
    private record SystemAtSave(String state, List<String> failedUnits) {
    }

    /**
     * Asked last before the save, after everything the harness did to the cold node (the firmware proof, the TCG
     * drop-in, the preloaded modules, the badness scan, the channel proof): a restore takes this answer as its own, so it must be the saved
     * memory's answer, not the one from when the node first became ready.
     */
    private SystemAtSave systemAtSave(Node cold) {
        String split = "----- sysext-harness failed units -----";
        CommandResult r = cold.run("systemctl is-system-running; echo '" + split + "'; " + FailedUnits.LIST);
        String[] parts = (r.stdout() + "\n").split(java.util.regex.Pattern.quote(split) + "\n", -1);
        String state = parts[0].strip();
        if (parts.length != 2 || !(state.equals("running") || state.equals("degraded"))) {
            throw new HarnessException(flavor.name() + ": the cold-booted node says '" + state + "' as it is about to be saved, so it is"
                    + " not saved as the ready state; evidence: " + cold.vm().dir());
        }
        return new SystemAtSave(state, FailedUnits.names(parts[1].lines().toList()));
    }

    /** The key under which {@link #start()} looks for (and saves) this launcher's state now. */
    String stateKey() {
        return stateKey(accel.current());
    }

    private String stateKey(Accelerator accelerator) {
        return states.key(disk, commandLine(evidenceDir.resolve("overlay.qcow2"), 1, accelerator), flavor.machine().preloadModules());
    }

    /** Until the first serial byte under KVM: a direct kernel prints within a second; a bootloader may take its time. */
    private Duration firstOutputDeadline() {
        return Duration.ofSeconds(disk.directKernel() && uefiVars == null ? 15 : 60);
    }

    /** A cold boot in {@code dir}; {@code sharedRam}: the guest's RAM as that shared file (a node to be saved), else null. */
    private Node coldBoot(Path dir, Path sharedRam) {
        createDirectory(dir);
        SshSession.warmUp();
        Path overlay = Overlay.create(disk.disk(), disk.format(), dir.resolve("overlay.qcow2").toAbsolutePath());
        if (uefiVars != null) {
            copyWritable(uefiVars, overlay.resolveSibling(SavedState.UEFI_VARS));
        }
        int port = FreePorts.next();
        Vm vm = accel.start(flavor.name(), a -> {
            if (sharedRam == null) {
                return commandLine(overlay, port, a);
            }
            deleteQuietly(sharedRam); // a fresh file for each try (a KVM try that failed wrote the one before)
            return commandLine(overlay, port, a).ramFile(sharedRam.toAbsolutePath(), true);
        }, dir, port, firstOutputDeadline());
        Accelerator accelerator = vm.accelerator();
        Transcript transcript = new Transcript(dir.resolve("transcript.txt"));
        transcript.note("# harness: cold boot, QEMU pid " + vm.pid() + " (" + accelerator.qemuName() + ", " + vcpuNote(accelerator)
                + "), SSH on 127.0.0.1:" + port);
        progress.step("booting " + flavor.name() + " (" + accelerator.qemuName() + ", pid " + vm.pid() + ", serial log "
                + vm.serialLog() + ")");
        Duration deadline = bootDeadline(accelerator);
        Node node = vm.channel() != null ? awaitReadyOverChannel(vm, transcript, deadline)
                : awaitReady(vm, transcript, "cold boot", deadline, false, null);
        try {
            proveFirmwareDb(node);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private Node restore(SavedState state) {
        Instant asked = Instant.now();
        Accelerator accelerator = accel.current();
        createDirectory(evidenceDir);
        SshSession.warmUp();
        // a readiness counted from the ask is one only the channel's readiness check takes (a Kairos node's counts from QEMU's start)
        Spares pool = flavor.family() == dev.sysextharness.flavor.Family.REFERENCE ? spares : null;
        String spareKey = pool == null ? null : spareKey(state, accelerator);
        AheadPool.Taken<Spares.Loaded> taken = pool == null ? null : pool.take(spareKey);
        Spares.Loaded loaded = null;
        String why = taken == null ? null : taken.why();
        Instant takenAt = Instant.now();
        if (taken != null && taken.thing() != null) {
            try {
                loaded = taken.thing().takenInto(evidenceDir, bootDeadline(accelerator));
            } catch (RuntimeException e) {
                taken.thing().close();
                why = e.getMessage();
            }
        }
        boolean ahead = loaded != null;
        if (!ahead) {
            loaded = load(state, evidenceDir, false, false, accelerator);
        }
        Vm vm = loaded.vm();
        Transcript transcript = new Transcript(evidenceDir.resolve("transcript.txt"));
        transcript.note("# harness: restore of " + state.dir() + " (saved boot_id " + state.bootId() + "), QEMU pid " + vm.pid()
                + " (" + vcpuNote(accelerator) + "), SSH on 127.0.0.1:" + loaded.sshPort());
        if (!flavor.machine().preloadModules().isEmpty()) { // part of the state's key, so loaded in this state
            transcript.note("# harness: loaded before the save (machine.preloadModules): " + String.join(" ", flavor.machine().preloadModules()));
        }
        if (ahead) {
            Instant contAt = Instant.now();
            try {
                vm.qmp(qmp -> qmp.execute("cont", Map.of()));
            } catch (RuntimeException e) {
                if (loaded.root() != null) {
                    loaded.root().close();
                }
                throw restoreFailed(vm, state, e);
            }
            transcript.note(String.format("# harness: " + MADE_AHEAD + " (QEMU started %.2f s before this node was asked for, %s): %s;"
                    + " moved here%s %.2f s, cont %.2f s", Durations.seconds(vm.startedAt(), asked), loaded.root() != null
                    ? "its readiness checked and paused again, above" : "paused with the state loaded", loaded.phases(),
                    pool.lowPriority() ? " at normal CPU priority" : "", Durations.seconds(takenAt, contAt), Durations.seconds(contAt, Instant.now())));
        } else {
            transcript.note("# harness: restore phases: " + loaded.phases() + (why == null ? "" : " (restore made on request: " + why + ")"));
        }
        // through the pool, the node counts from the ask, whether made ahead or not (a failed take costs its time too)
        Node node = resume(vm, transcript, state, pool != null ? asked : vm.startedAt(), loaded.root());
        if (pool != null) {
            Path parent = evidenceDir.toAbsolutePath().getParent();
            boolean low = pool.lowPriority();
            pool.make(spareKey, () -> {
                Path staging = Spares.stagingDir(parent);
                try {
                    return load(state, staging, true, low, accelerator);
                } catch (RuntimeException e) {
                    Spares.deleteTree(staging); // load closed the QEMU it had started
                    throw e;
                }
            });
        }
        return node;
    }

    /** How a restore's transcript says it was made ahead ({@link Spares}). */
    public static final String MADE_AHEAD = "restore made ahead";

    /**
     * What a spare (and a restore made on request) shares: a fresh overlay of the frozen disk in {@code dir}, and QEMU
     * started there with the saved RAM mapped copy-on-write and only the devices' stream to load ("defer":
     * x-ignore-shared first). A restore on request is resumed in the same QMP session. A spare ({@code ahead}), at
     * nice 19 if {@code lowPriority}, with a QMP socket it can keep when its directory moves, is resumed for its
     * readiness check and paused again ({@link #checkAhead}).
     */
    private Spares.Loaded load(SavedState state, Path dir, boolean ahead, boolean lowPriority, Accelerator accelerator) {
        createDirectory(dir);
        Instant overlayAt = Instant.now();
        Path overlay = Overlay.create(state.frozenOverlay(), "qcow2", dir.resolve("overlay.qcow2").toAbsolutePath());
        if (uefiVars != null) {
            if (state.uefiVars() == null) {
                throw new HarnessException("saved state " + state.dir() + " has no UEFI variable store");
            }
            copyWritable(state.uefiVars(), overlay.resolveSibling(SavedState.UEFI_VARS));
        }
        int port = FreePorts.next();
        Instant vmAt = Instant.now();
        QemuCommandLine cmd = commandLine(overlay, port, accelerator).ramFile(state.ram(), false).incoming("defer");
        Vm vm = ahead ? Vm.startAhead(cmd, dir, port, lowPriority) : Vm.start(cmd, dir, port);
        Instant startedAt = Instant.now(); // QEMU runs and serves its channel's sockets
        Instant[] loadedAt = {vmAt};
        Instant[] qmpAt = {vmAt};
        try {
            vm.qmp(qmp -> {
                qmpAt[0] = Instant.now();
                qmp.execute("migrate-set-capabilities", SavedStates.IGNORE_SHARED_RAM);
                qmp.execute("migrate-incoming", Map.of("uri", state.incomingUri()));
                Awaitility.await("incoming state loaded into " + vm.dir()).atMost(Duration.ofSeconds(60))
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).pollInSameThread()
                        .failFast("QEMU exited", () -> !vm.isAlive())
                        .until(() -> !qmp.execute("query-status", Map.of()).path("status").asText().equals("inmigrate"));
                loadedAt[0] = Instant.now();
                if (!ahead) {
                    qmp.execute("cont", Map.of());
                }
                return null;
            });
        } catch (RuntimeException e) {
            throw restoreFailed(vm, state, e);
        }
        String phases = String.format("overlay %.2f s, QEMU start and state load %.2f s (QEMU and its channel %.2f s, QMP %.2f s,"
                + " device state %.2f s)", Durations.seconds(overlayAt, vmAt), Durations.seconds(vmAt, loadedAt[0]),
                Durations.seconds(vmAt, startedAt), Durations.seconds(startedAt, qmpAt[0]), Durations.seconds(qmpAt[0], loadedAt[0]));
        if (ahead) {
            return new Spares.Loaded(vm, port, phases, vm.channel() == null || !coreLeftOver() ? null
                    : spares.checkAhead(vm, () -> checkAhead(vm, state, lowPriority, phases)), null);
        }
        return new Spares.Loaded(vm, port, phases + String.format(", cont %.2f s", Durations.seconds(loadedAt[0], Instant.now())), null, null);
    }

    /**
     * Whether the nodes running at once leave a host core over: the only CPU a spare's check ahead can use without
     * taking it from them. Measured on 2 cores, debian-12's suite: with one node at a time, checks ahead took the
     * readiness at the take from 0.12 to 0.02 s (median cell 1.17-1.19 s against 1.29 s, wall 124 s against 134 s);
     * with two nodes at once (no core over) they made it slower, in four runs of four (wall 108.6 s against 100.1 s).
     */
    private boolean coreLeftOver() {
        return nodesAtOnce < Runtime.getRuntime().availableProcessors();
    }

    /**
     * A spare's readiness, checked before any cell asks for it: resumed, the same check as a restore's over its saved
     * root shell (the clock stepped, the boot_id the saved one), then paused again. The first commands a restored
     * QEMU runs are its slowest, its translations made afresh under TCG (the readiness check: 0.11-0.34 s after cont,
     * later commands 0.01-0.09 s), and a pause keeps them: the check at the take runs warm. Its transcript, in the
     * spare's directory, goes with it to the cell that takes it. The guest ran that long past the saved moment; its
     * clock stands still while paused and is stepped again at the take. A check that fails ends the spare's QEMU.
     */
    private Spares.Checked checkAhead(Vm vm, SavedState state, boolean lowPriority, String phases) {
        Transcript transcript = new Transcript(vm.dir().resolve("transcript.txt"));
        transcript.note("# harness: restore of " + state.dir() + " (saved boot_id " + state.bootId() + ") made ahead in " + vm.dir()
                + ", QEMU pid " + vm.pid() + (lowPriority ? " at nice 19" : "") + ": " + phases
                + "; its readiness checked now, then paused until a cell takes it");
        Instant contAt = Instant.now();
        SerialShell root = null;
        try {
            vm.qmp(qmp -> qmp.execute("cont", Map.of()));
            root = SerialShell.attach(vm.channel(), "root", false);
            Ready ready = Readiness.awaitOverChannel(vm, flavor, bootDeadline(vm.accelerator()), root, transcript,
                    contAt, state, true);
            requireSavedBoot(ready, state);
            Instant checkedAt = Instant.now();
            vm.qmp(qmp -> qmp.execute("stop", Map.of()));
            transcript.note(String.format("# harness: paused again (QMP stop) after its readiness check, %.2f s after cont",
                    Durations.seconds(contAt, checkedAt)));
            return new Spares.Checked(root, String.format("readiness checked ahead %.2f s", Durations.seconds(contAt, checkedAt)));
        } catch (RuntimeException e) {
            if (root != null) {
                root.close();
            }
            throw restoreFailed(vm, state, e);
        }
    }

    /** How long a boot, a restore or a spare's check may take to be ready: the flavor's boot timeout, scaled for {@code accelerator}. */
    private Duration bootDeadline(Accelerator accelerator) {
        return accelerator.scale(flavor.timeouts().boot());
    }

    /** Ends a restored QEMU that failed on the way (its output with the cause) and says so. */
    private static HarnessException restoreFailed(Vm vm, SavedState state, RuntimeException e) {
        vm.close();
        return new HarnessException("restore of " + state.dir() + " failed: " + e.getMessage() + "; " + vm.qemuOutput(), e);
    }

    /**
     * What a spare must match to stand in for a restore on request here: the state (its key, directory and boot), and
     * what the launcher adds to the machine beyond the key (the guestfwd rule, the firmware store and its db).
     */
    private String spareKey(SavedState state, Accelerator accelerator) {
        return stateKey(accelerator) + "|" + state.dir() + "|" + state.bootId() + "|" + guestForward + "|" + uefiVars + "|" + firmwareDb;
    }

    /**
     * The restored machine running: ready once its saved shell (or an SSH login) answers, {@code origin} the time it
     * counts from; {@code checkedRoot}: that shell, attached when a spare's readiness was checked ahead, else null.
     */
    private Node resume(Vm vm, Transcript transcript, SavedState state, Instant origin, SerialShell checkedRoot) {
        Duration deadline = bootDeadline(vm.accelerator());
        if (vm.channel() == null) {
            Node node = awaitReady(vm, transcript, "restore", deadline, true, state.systemd());
            try {
                requireSavedBoot(node.ready(), state);
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
            return node;
        }
        // the saved node's root shell is still reading its port: ready without a login
        SerialShell root = checkedRoot != null ? checkedRoot : SerialShell.attach(vm.channel(), "root", false);
        try {
            Ready ready = Readiness.awaitOverChannel(vm, flavor, deadline, root, transcript, origin, state, false);
            requireSavedBoot(ready, state);
            return readyNode(vm, transcript, "restore", ready, null, root);
        } catch (RuntimeException e) {
            root.close();
            vm.close();
            throw e;
        }
    }

    /**
     * A restored node is the saved boot, or nothing it reports from the state (its systemd version, its clean journal)
     * holds: the boot_id it answers with must be the one saved.
     */
    private static void requireSavedBoot(Ready ready, SavedState state) {
        if (!ready.bootId().equals(state.bootId())) {
            throw new HarnessException("the node restored from " + state.dir() + " answers with boot_id '" + ready.bootId()
                    + "', not the saved " + state.bootId());
        }
    }

    /**
     * Each certificate put into the firmware's db reached the kernel: the integrity subsystem logs every one it loads
     * from db into the .platform keyring. Without that line a verdict about the kernel's trust would rest on nothing.
     */
    private void proveFirmwareDb(Node node) {
        if (firmwareDb.isEmpty()) {
            return;
        }
        String log = node.sudo("dmesg | grep -F 'Loaded X.509 cert'").out();
        for (Firmware.DbCertificate c : firmwareDb) {
            if (!log.contains("'" + c.kernelDescription() + "'")) {
                throw new HarnessException(flavor.name() + ": the kernel did not load " + c.pem() + " ('" + c.kernelDescription()
                        + "') from the firmware's db (its X.509 loads: " + (log.isBlank() ? "none" : log.strip().replace('\n', ';'))
                        + "); evidence: " + node.vm().dir());
            }
        }
        node.transcript().note("# harness: the kernel loaded the firmware's db: " + firmwareDb.stream()
                .map(Firmware.DbCertificate::kernelDescription).toList());
    }

    /** The node's own copy of a firmware variable store, which its firmware may write. */
    private static void copyWritable(Path store, Path copy) {
        try {
            Files.copy(store, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new HarnessException("cannot copy the UEFI variable store " + store + " to " + copy + ": " + e.getMessage(), e);
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HarnessException("cannot create evidence directory " + dir + ": " + e.getMessage(), e);
        }
    }


    /** The node, once its systemd is the flavor's; the progress line says how it was reached and when. */
    private Node readyNode(Vm vm, Transcript transcript, String how, Ready ready, SshSession session, SerialShell rootChannel) {
        transcript.note("# harness: ready after " + how + ", boot_id " + ready.bootId() + ", state " + ready.systemState());
        progress.step(String.format("%s ready after %s: %s after %.1f s, ready after %.1f s (%s)", flavor.name(), how, ready.reachedBy(),
                ready.sshAfter().toMillis() / 1000.0, ready.readyAfter().toMillis() / 1000.0, ready.systemState()
                        + (ready.degraded() ? ", failed units: " + ready.failedUnits() : "")));
        if (ready.systemdMajor() != flavor.systemdVersion()) {
            throw new ConfigException("flavor " + flavor.name() + " declares systemdVersion " + flavor.systemdVersion()
                    + " but its node runs '" + ready.systemdVersion() + "'; fix vm-configs/" + flavor.name() + ".yaml");
        }
        Node node = new Node(flavor, vm, vm.accelerator(), transcript, session, ready, how, rootChannel);
        node.firmwareDb(firmwareDb.stream().map(Firmware.DbCertificate::fingerprint).collect(java.util.stream.Collectors.toSet()));
        return node;
    }

    /**
     * A cold boot with a guest channel is ready when its root shell there says the boot is done: about a second
     * sooner than an SSH login after the boot under TCG (README, the tenth and eleventh bench runs). SSH is not
     * needed by anything a cold-booted reference node does next; it opens when asked for, as on a restored node.
     */
    private Node awaitReadyOverChannel(Vm vm, Transcript transcript, Duration deadline) {
        try {
            Readiness.Booted booted = Readiness.awaitBootOverChannel(vm, flavor, deadline, transcript, vm.startedAt());
            try {
                return readyNode(vm, transcript, "cold boot", booted.ready(), null, booted.root());
            } catch (RuntimeException e) {
                booted.root().close();
                throw e;
            }
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    private Node awaitReady(Vm vm, Transcript transcript, String how, Duration deadline, boolean stepClock, String savedSystemd) {
        try {
            Readiness.Result r = Readiness.await(vm, flavor, deadline, null, transcript, vm.startedAt(), stepClock, savedSystemd);
            try {
                return readyNode(vm, transcript, how, r.ready(), r.session(), null);
            } catch (ConfigException e) {
                r.session().close();
                throw e;
            }
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

}
