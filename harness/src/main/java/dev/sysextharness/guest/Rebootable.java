package dev.sysextharness.guest;

/** A guest that can reboot (a node; a container cannot): the type says so, instead of a cast to the class that can. */
public interface Rebootable {
    /** Reboots from inside and waits until the guest is ready again, with a boot_id other than the old one. */
    BootIdProof reboot();
}
