package dev.sysextharness.vm;

import java.nio.file.Path;

/**
 * What a node boots from: a base disk (never written; each VM gets an overlay of it) and, for reference images,
 * the kernel, initramfs and command line for direct kernel boot (null for disks with their own bootloader).
 */
public record BootDisk(Path disk, String format, Path kernel, Path initrd, String append) {
    public BootDisk {
        if (!format.equals("raw") && !format.equals("qcow2")) {
            throw new IllegalArgumentException("disk format must be raw or qcow2, got " + format);
        }
    }

    public boolean directKernel() {
        return kernel != null;
    }
}
