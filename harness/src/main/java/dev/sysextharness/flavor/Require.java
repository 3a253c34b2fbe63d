package dev.sysextharness.flavor;

/** Field checks shared by the config records; messages name the field. */
final class Require {
    private Require() {
    }

    static void nonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "': expected a non-empty string");
        }
    }
}
