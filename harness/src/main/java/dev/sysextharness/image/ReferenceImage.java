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

    public Path kernel() {
        return dir.resolve("vmlinuz");
    }

    public Path initrd() {
        return dir.resolve("initrd.img");
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
