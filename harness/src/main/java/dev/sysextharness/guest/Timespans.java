package dev.sysextharness.guest;

/** systemd's printed time spans ("2min", "1min 30s", "1h 5min", "500ms", "infinity") read back as whole seconds. */
final class Timespans {
    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(d|h|min|s|ms|us)");

    private Timespans() {
    }

    /** Whole seconds (sub-second parts dropped); -1 for "infinity" or anything this does not read. */
    static long seconds(String span) {
        String s = span.strip();
        if (s.isEmpty() || s.equals("infinity")) {
            return -1;
        }
        double total = 0;
        for (String part : s.split("\\s+")) {
            var m = PART.matcher(part);
            if (!m.matches()) {
                return -1;
            }
            double n = Double.parseDouble(m.group(1));
            total += switch (m.group(2)) {
                case "d" -> n * 86400;
                case "h" -> n * 3600;
                case "min" -> n * 60;
                case "s" -> n;
                case "ms" -> n / 1000;
                default -> n / 1_000_000;
            };
        }
        return (long) total;
    }
}
