package dev.sysextharness.host;

/**
 * A failure of the harness's own infrastructure (no image, no boot, no SSH): exit code 3.
 * The message is one line for the user; details live in the evidence it points at.
 */
public class HarnessException extends RuntimeException {
    public HarnessException(String message) {
        super(message);
    }

    public HarnessException(String message, Throwable cause) {
        super(message, cause);
    }
}
