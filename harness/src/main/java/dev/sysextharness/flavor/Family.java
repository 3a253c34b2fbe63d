package dev.sysextharness.flavor;

/** Where a flavor's node comes from: built here from Debian packages, or a Kairos release ISO. */
public enum Family {
    REFERENCE,
    KAIROS
}
