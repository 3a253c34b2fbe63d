package dev.sysextharness.vm;

import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decides between KVM and TCG by running a guest that must exit at once: a 64 KiB firmware whose reset vector
 * writes to QEMU's isa-debug-exit port. KVM is used only if that guest exits with the expected code within a
 * short deadline: on some hosts /dev/kvm exists but hangs ordinary guests.
 */
public final class AcceleratorProbe {
    /** isa-debug-exit turns a write of 1 into process exit status (1 &lt;&lt; 1) | 1. */
    static final int EXPECTED_EXIT = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final String qemuBinary;

    public AcceleratorProbe(String qemuBinary) {
        this.qemuBinary = qemuBinary;
    }

    /** The accelerator to use for a user's choice of auto, kvm or tcg, with the reason. */
    public Choice choose(String requested) {
        switch (requested) {
            case "tcg":
                return new Choice(Accelerator.TCG, "requested");
            case "kvm":
                return new Choice(Accelerator.KVM, "requested");
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("--accel: expected auto, kvm or tcg, got '" + requested + "'");
        }
        if (!Files.isReadable(Path.of("/dev/kvm")) || !Files.isWritable(Path.of("/dev/kvm"))) {
            return new Choice(Accelerator.TCG, "/dev/kvm is not usable");
        }
        String why = works(Accelerator.KVM);
        return why == null ? new Choice(Accelerator.KVM, "probe guest ran under KVM")
                : new Choice(Accelerator.TCG, "KVM probe failed: " + why);
    }

    /** Null if a probe guest runs to its exit under {@code accel}, else why not. */
    public String works(Accelerator accel) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sysext-harness-probe");
            Path firmware = dir.resolve("probe.bin");
            Files.write(firmware, firmware());
            Process p = new ProcessBuilder(List.of(qemuBinary, "-accel", accel.qemuName(), "-machine", "q35",
                    "-nodefaults", "-display", "none", "-bios", firmware.toString(),
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
            if (!p.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return "no exit within " + DEADLINE.toSeconds() + " s";
            }
            if (p.exitValue() != EXPECTED_EXIT) {
                String out = Files.readString(dir.resolve("out.log")).strip();
                return "exit " + p.exitValue() + (out.isEmpty() ? "" : " (" + out.lines().findFirst().orElse("") + ")");
            }
            return null;
        } catch (IOException e) {
            throw new HarnessException("cannot run " + qemuBinary + " for the accelerator probe: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temp dir left behind is harmless
                }
            }
        }
    }

    /** Real-mode code at the reset vector (last 16 bytes): mov al,1; out 0xf4,al; hlt. */
    static byte[] firmware() {
        byte[] rom = new byte[64 * 1024];
        byte[] code = {(byte) 0xB0, 0x01, (byte) 0xE6, (byte) 0xF4, (byte) 0xF4};
        System.arraycopy(code, 0, rom, rom.length - 16, code.length);
        return rom;
    }

    public record Choice(Accelerator accelerator, String reason) {
    }
}
