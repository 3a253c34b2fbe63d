package dev.sysextharness.host;

/** What a failure says in one line: its message's first line (the rest is for --debug and failure.txt). */
public final class Failures {
    private Failures() {
    }

    public static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.strip().lines().findFirst().orElse(m);
    }
}
