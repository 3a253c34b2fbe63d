package dev.sysextharness.flavor;

/** A user's config file is wrong; the message is one line naming the file, the field and what was expected. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
