package dev.sysextharness.sysext;

import dev.sysextharness.extension.DdiBuilder;
import dev.sysextharness.extension.SigningKey;
import java.nio.file.Path;

/**
 * Where a scenario's DDIs and signing keys come from: made on the host for the run (systemd-repart in a container of
 * a flavor that has it, openssl for the keys), cached by content, then sent to the node as files.
 */
public interface DdiSource {
    /** The DDI of {@code tree} named {@code fileName}; {@code key} signs a SIGNED one. */
    Path make(Path tree, String fileName, DdiBuilder.Kind kind, SigningKey key);

    /** The harness's signing key of that name, made once per cache. */
    SigningKey key(String name);

    /** For a guest that is given no source: every use says so. */
    DdiSource NONE = new DdiSource() {
        @Override
        public Path make(Path tree, String fileName, DdiBuilder.Kind kind, SigningKey key) {
            throw new IllegalStateException("no DDI source in this session: DDIs are made by the run's scenario session");
        }

        @Override
        public SigningKey key(String name) {
            throw new IllegalStateException("no signing keys in this session: they are made by the run's scenario session");
        }
    };
}
