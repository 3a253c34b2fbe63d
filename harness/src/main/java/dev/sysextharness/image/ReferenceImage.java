package dev.sysextharness.image;

import dev.sysextharness.vm.BootDisk;
import java.nio.file.Path;

/**
 * A built reference node: the raw GPT disk (COS_OEM, COS_ACTIVE, COS_PERSISTENT), the kernel and initramfs for
 * direct boot, the rootfs archive it was made from, and the exact systemd package version inside.
 */
public record ReferenceImage(Path dir, String systemdPackageVersion) {
    public Path disk() {
        return dir.resolve("disk.img");
    }

    /** The kernel a node boots: the unpacked ELF vmlinux where the build made one ({@link DirectKernel}), else the bzImage. */
    public Path kernel() {
        Path unpacked = dir.resolve(DirectKernel.VMLINUX);
        return java.nio.file.Files.isRegularFile(unpacked) ? unpacked : dir.resolve("vmlinuz");
    }

    /** The initramfs a node boots: the plain cpio where the build made one, else the compressed one. */
    public Path initrd() {
        Path unpacked = dir.resolve(DirectKernel.INITRD_CPIO);
        return java.nio.file.Files.isRegularFile(unpacked) ? unpacked : dir.resolve("initrd.img");
    }

    public Path rootfsTar() {
        return dir.resolve("rootfs.tar");
    }

    /** Boots this image's own disk. */
    public BootDisk bootDisk() {
        return withDisk(disk());
    }

    /** Boots another disk (an installed copy of this one) with this image's kernel. */
    public BootDisk withDisk(Path otherDisk) {
        return new BootDisk(otherDisk, "raw", kernel(), initrd(), kernelCommandLine());
    }

    /** The cache key of this image: its directory's name. */
    public String key() {
        return dir.getFileName().toString();
    }

    /** The kernel command line that boots this disk with the Kairos layout. */
    public static String kernelCommandLine() {
        // cryptomgr.notests and mitigations=off only spare emulated CPU time; nothing sysext sees depends on them.
        return "root=LABEL=COS_ACTIVE ro console=ttyS0 cryptomgr.notests mitigations=off";
    }
}
