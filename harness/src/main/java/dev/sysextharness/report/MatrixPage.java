package dev.sysextharness.report;

import dev.sysextharness.flavor.Flavor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** index.html: a scenario × (flavor, lane) matrix, each cell linking to its evidence, and a details section per cell. */
final class MatrixPage {
    private static final List<String> EVIDENCE_FILES = List.of("failure.txt", "transcript.txt", "serial.log", "container.txt",
            "journal-sysext.txt", "sysext-status.json", "badness.txt", "files-expected.txt", "files-observed.txt", "command-line.txt",
            "result.json");

    private final RunReport report;

    MatrixPage(RunReport report) {
        this.report = report;
    }

    String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sysext-harness run ")
                .append(esc(report.runId())).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:75em}")
                .append("td{overflow-wrap:anywhere}")
                .append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.4em .7em;text-align:left;vertical-align:top}")
                .append("th{background:#f4f4f4}.passed{background:#d9f2d9}.failed{background:#f8d0d0}.error{background:#f6e0b5}")
                .append(".skipped{background:#e8e8e8}.missing{background:#fff}code{font-size:.9em}")
                .append("td.cell a{color:inherit;font-weight:600;text-decoration:none}.small{font-size:.85em;color:#555}")
                .append("</style></head><body>");
        h.append("<h1>sysext-harness run ").append(esc(report.runId())).append("</h1>");
        h.append("<p>").append(String.format("Wall time %.1f s. ", report.wallSeconds())).append(report.count(Outcome.PASSED)).append(" passed, ").append(report.count(Outcome.FAILED)).append(" failed, ")
                .append(report.count(Outcome.ERROR)).append(" error, ").append(report.count(Outcome.SKIPPED)).append(" skipped. ")
                .append("Each cell links to its evidence: the guest command transcript, the serial log, ")
                .append("<code>journalctl -b -u systemd-sysext</code> and <code>systemd-sysext status --json=short</code>.</p>");
        h.append("<table id=\"matrix\"><thead><tr><th>scenario</th>");
        List<String> lanes = report.lanes().isEmpty() ? List.of("vm") : report.lanes();
        for (Flavor f : report.flavors()) {
            for (String lane : lanes) {
                h.append("<th>").append(esc(f.name())).append(lanes.size() > 1 || !lane.equals("vm") ? " · " + esc(lane) : "")
                        .append("<br><span class=\"small\">systemd ").append(f.systemdVersion()).append("</span></th>");
            }
        }
        h.append("</tr></thead><tbody>");
        for (String s : report.scenarios()) {
            h.append("<tr><th>").append(esc(s)).append("</th>");
            for (Flavor f : report.flavors()) {
                for (String lane : lanes) {
                    h.append(cell(report.cell(s, f.name(), lane).orElse(null)));
                }
            }
            h.append("</tr>");
        }
        h.append("</tbody></table><h2>Details</h2>");
        for (ScenarioResult r : report.results()) {
            Path ev = Path.of(r.evidence()).toAbsolutePath();
            String rel = report.dir().toAbsolutePath().relativize(ev).toString();
            h.append("<section id=\"").append(anchor(r)).append("\"><h3 class=\"").append(r.outcome().label()).append("\">")
                    .append(esc(r.scenario())).append(" on ").append(esc(r.flavor())).append(" (").append(esc(r.lane())).append(" lane): ").append(r.outcome().label())
                    .append("</h3><table><tr><th>expected</th><td>").append(esc(r.expected())).append("</td></tr>")
                    .append("<tr><th>observed</th><td>").append(esc(r.observed())).append("</td></tr>")
                    .append("<tr><th>duration</th><td>").append(String.format("%.1f s", r.durationMs() / 1000.0)).append("</td></tr>")
                    .append("<tr><th>evidence</th><td>");
            for (String f : EVIDENCE_FILES) {
                if (Files.exists(ev.resolve(f))) {
                    h.append("<a href=\"").append(esc(rel + "/" + f)).append("\">").append(f).append("</a> ");
                }
            }
            h.append("</td></tr></table></section>");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String cell(ScenarioResult r) {
        if (r == null) {
            return "<td class=\"missing\">–</td>";
        }
        return "<td class=\"cell " + r.outcome().label() + "\" title=\"" + esc(r.observed()) + "\">"
                + "<a href=\"#" + anchor(r) + "\">" + r.outcome().label() + "</a>"
                + "<br><span class=\"small\">" + String.format("%.1f s", r.durationMs() / 1000.0) + "</span></td>";
    }

    private static String anchor(ScenarioResult r) {
        return (r.flavor() + "--" + r.lane() + "--" + r.scenario()).replaceAll("[^A-Za-z0-9_-]", "-");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
