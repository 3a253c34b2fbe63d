package dev.sysextharness.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scenario's node boots under UEFI firmware (OVMF) whose db holds the certificates of these harness signing keys
 * ({@code "trusted"}), the way a Secure Boot machine's firmware holds its vendor's: the kernel's EFI stub reads db and
 * loads the certificates into the .platform keyring. Secure Boot itself stays off (the measured path needs no
 * enforcement). Reference flavors only — their kernel is booted directly, which OVMF does through its EFI stub —
 * and only where the flavor file says whether its kernel takes that keyring for verity
 * ({@code sysext.kernelTrustsFirmwareDb}); elsewhere the cell is skipped with the reason.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface FirmwareDb {
    /** Names of the harness's signing keys whose certificates go into db. */
    String[] value();
}
