package dev.sysextharness.api;

/**
 * An extension image pushed to the run's registry.
 *
 * @param guestRef  the reference as a node pulls it (through the guestfwd address)
 * @param hostRef   the reference on 127.0.0.1
 */
public record PublishedExtension(String name, String extensionName, String guestRef, String hostRef, String digest) {
}
