package dev.sysextharness.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place a QEMU command line is built. Networking is always user-mode with {@code restrict=on}: the guest
 * reaches nothing but the SSH {@code hostfwd} on 127.0.0.1 and at most one {@link GuestForward}.
 */
public final class QemuCommandLine {
    private String binary = Qemu.binary();
    private Accelerator accel = Accelerator.TCG;
    private int memoryMiB = 1024;
    private int cpus = 2;
    private Path kernel;
    private Path initrd;
    private String append;
    private Path disk;
    private final List<Path> cdroms = new ArrayList<>();
    private int sshHostPort = -1;
    private GuestForward guestForward;
    private Path serialLog;
    private Path qmpSocket;
    private String incoming;
    private boolean noReboot;
    private String bootOrder;
    private boolean wantsChannel;
    private Path firmwareCode;
    private Path firmwareVars;
    private Path firmwareVarsOrigin;
    private GuestChannel channel;
    private Path ramFile;
    private boolean ramShared;
    /** The id of the guest RAM's memory backend object, when the RAM is a file. */
    static final String RAM_BACKEND = "ram0";

    public QemuCommandLine binary(String binary) {
        this.binary = binary;
        return this;
    }

    public String binary() {
        return binary;
    }

    public Accelerator accelerator() {
        return accel;
    }

    /** The CPU model a node runs with under {@code accel}; the accelerator probe boots with the same one. */
    static String cpuModel(Accelerator accel) {
        return accel == Accelerator.KVM ? "host" : "max";
    }

    public QemuCommandLine accel(Accelerator accel) {
        this.accel = accel;
        return this;
    }

    public QemuCommandLine memoryMiB(int memoryMiB) {
        this.memoryMiB = memoryMiB;
        return this;
    }

    public QemuCommandLine cpus(int cpus) {
        this.cpus = cpus;
        return this;
    }

    /** Direct kernel boot, used for reference disks (no bootloader to maintain). */
    public QemuCommandLine directKernel(Path kernel, Path initrd, String append) {
        this.kernel = kernel;
        this.initrd = initrd;
        this.append = append;
        return this;
    }

    /**
     * Boot through UEFI firmware (OVMF's code, read-only, and {@code vars}, the machine's own variable store, which
     * the firmware writes) instead of SeaBIOS; {@code varsOrigin} names the store {@code vars} was copied from, which
     * is part of the machine (a saved state holds the firmware's RAM-mapped store).
     */
    public QemuCommandLine uefi(Path code, Path vars, Path varsOrigin) {
        this.firmwareCode = code;
        this.firmwareVars = vars;
        this.firmwareVarsOrigin = varsOrigin;
        return this;
    }

    /** The VM's own qcow2 overlay. */
    public QemuCommandLine disk(Path qcow2) {
        this.disk = qcow2;
        return this;
    }

    public QemuCommandLine cdrom(Path iso) {
        this.cdroms.add(iso);
        return this;
    }

    public QemuCommandLine sshHostPort(int port) {
        this.sshHostPort = port;
        return this;
    }

    public QemuCommandLine guestForward(GuestForward forward) {
        this.guestForward = forward;
        return this;
    }

    public QemuCommandLine serialLog(Path file) {
        this.serialLog = file;
        return this;
    }

    public QemuCommandLine qmpSocket(Path socket) {
        this.qmpSocket = socket;
        return this;
    }

    /**
     * The guest's RAM as a file instead of anonymous memory. {@code shared}: the guest writes the file (a node whose
     * state is about to be saved: with migration capability x-ignore-shared the stream then leaves the RAM out, and
     * the file is the saved RAM). Not shared: a private copy-on-write mapping of a saved RAM file, which QEMU never
     * writes and whose pages the guest faults in as it touches them, instead of QEMU reading them all from the stream.
     */
    public QemuCommandLine ramFile(Path file, boolean shared) {
        this.ramFile = file;
        this.ramShared = shared;
        return this;
    }

    /**
     * {@code argv} with anonymous RAM where it had a RAM file: a machine powered on again after a guest reset starts
     * from fresh memory, not from the saved RAM it was restored from.
     */
    static List<String> withAnonymousRam(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        for (String a : argv) {
            if (a.startsWith("memory-backend-file,id=" + RAM_BACKEND + ",")) {
                String size = java.util.Arrays.stream(a.split(",")).filter(o -> o.startsWith("size=")).findFirst().orElseThrow();
                out.add("memory-backend-ram,id=" + RAM_BACKEND + "," + size);
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /** Start paused, loading a saved state from this migration URI ("defer": wait for QMP migrate-incoming). */
    public QemuCommandLine incoming(String uri) {
        this.incoming = uri;
        return this;
    }

    /** Firmware boot order: "d" boots the first CD (an installer ISO), "c" the disk. Unset: QEMU's default. */
    public QemuCommandLine bootOrder(String order) {
        this.bootOrder = order;
        return this;
    }

    /**
     * Give the guest the harness's command channel ({@link GuestChannel}: virtio-serial ports a reference image's
     * shells sit on); {@link Vm#start} makes the channel's sockets for each VM.
     */
    public QemuCommandLine guestChannel(boolean on) {
        this.wantsChannel = on;
        return this;
    }

    public boolean wantsGuestChannel() {
        return wantsChannel;
    }

    QemuCommandLine channel(GuestChannel channel) {
        this.channel = channel;
        return this;
    }

    /** Exit instead of rebooting (an installer's poweroff/reboot ends the process). */
    public QemuCommandLine noReboot(boolean noReboot) {
        this.noReboot = noReboot;
        return this;
    }

    /**
     * What shapes the guest's machine (and so must be identical between saving a state and restoring it);
     * per-VM paths and ports are not part of it.
     */
    public List<String> machineArguments() {
        List<String> args = new ArrayList<>(List.of("binary=" + binary, "machine=" + machineType(), "accel=" + accel.qemuName(),
                "smp=" + cpus, "m=" + memoryMiB, "devices=virtio-blk,virtio-net-pci,virtio-rng-pci",
                "cdroms=" + cdroms.size(), "kernel=" + (kernel != null)));
        if (kernel != null) {
            args.add("append=" + append); // what the harness adds to the disk's own (the TCG budget) shapes the saved boot too
        }
        if (bootOrder != null) {
            args.add("boot=" + bootOrder);
        }
        if (wantsChannel) {
            args.add(GuestChannel.machineArgument());
        }
        if (firmwareCode != null) {
            // the firmware's code by path, size and time, the store it started from (a content-keyed cache entry), and
            // the kernel it loads (the bzImage, not the unpacked one the state key's disk identity names)
            args.add("uefi=" + firmwareCode + "," + firmwareCode.toFile().length() + "," + firmwareCode.toFile().lastModified() + ","
                    + firmwareVarsOrigin + ",kernel=" + kernel);
        }
        return args;
    }

    /**
     * q35, without its SATA controller, SMBus and PS/2 controller when the node boots a kernel straight from a virtio
     * disk (a reference node): nothing there is on those buses, yet under TCG the guest probes six empty SATA ports
     * and a PS/2 mouse at every boot. An installer ISO sits on q35's SATA bus, and a firmware boot (an installed Kairos
     * disk) keeps the machine it was installed on.
     */
    private String machineType() {
        return kernel != null && cdroms.isEmpty() ? "q35,sata=off,smbus=off,i8042=off" : "q35";
    }

    public List<String> build() {
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(serialLog, "serialLog");
        Objects.requireNonNull(qmpSocket, "qmpSocket");
        if (sshHostPort < 1) {
            throw new IllegalStateException("sshHostPort not set");
        }
        List<String> cmd = new ArrayList<>(List.of(binary,
                "-machine", ramFile == null ? machineType() : machineType() + ",memory-backend=" + RAM_BACKEND,
                "-accel", accel.qemuName(),
                "-cpu", cpuModel(accel),
                "-smp", Integer.toString(cpus),
                "-m", Integer.toString(memoryMiB),
                "-nodefaults",
                "-display", "none",
                "-vga", "none",
                "-monitor", "none"));
        if (ramFile != null) {
            cmd.addAll(List.of("-object", "memory-backend-file,id=" + RAM_BACKEND + ",size=" + memoryMiB + "M,mem-path=" + ramFile
                    + ",share=" + (ramShared ? "on" : "off")));
        }
        if (firmwareCode != null) {
            cmd.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + firmwareCode,
                    "-drive", "if=pflash,format=raw,unit=1,file=" + firmwareVars));
        }
        if (kernel != null) {
            cmd.addAll(List.of("-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append));
        }
        if (bootOrder != null) {
            cmd.addAll(List.of("-boot", "order=" + bootOrder));
        }
        cmd.addAll(List.of("-drive", "file=" + disk + ",if=virtio,format=qcow2,cache=unsafe"));
        for (Path iso : cdroms) {
            cmd.addAll(List.of("-drive", "file=" + iso + ",media=cdrom,readonly=on"));
        }
        StringBuilder netdev = new StringBuilder("user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:")
                .append(sshHostPort).append("-:22");
        if (guestForward != null) {
            netdev.append(',').append(guestForward.netdevOption());
        }
        // One argv entry, spaces and all: the guestfwd cmd contains spaces.
        cmd.addAll(List.of("-netdev", netdev.toString(),
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
                "-device", "virtio-rng-pci",
                // append: a node powered on again after a guest reboot continues the same serial log
                "-chardev", "file,id=serial0,path=" + serialLog + ",append=on",
                "-serial", "chardev:serial0",
                "-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        if (wantsChannel) {
            cmd.addAll(Objects.requireNonNull(channel, "channel (made by Vm.start)").qemuArguments());
        }
        if (incoming != null) {
            cmd.addAll(List.of("-incoming", incoming));
        }
        if (noReboot) {
            cmd.add("-no-reboot");
        }
        return cmd;
    }
}
