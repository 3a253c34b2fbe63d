package dev.sysextharness.report;

import dev.sysextharness.flavor.Flavor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * index.html: the scenario × (flavor, lane) matrix grouped by scenario class, problems first, with filters for outcome
 * and flavor kept in the URL fragment ({@code #outcome=problems&flavor=debian-12}) so that a filtered view can be
 * shared; below it the details of every cell — expected, observed, evidence, and the command that reproduces it.
 * Self-contained: inline style and a small inline script, nothing loaded from anywhere.
 */
final class MatrixPage {
    private static final List<String> EVIDENCE_FILES = List.of("failure.txt", "transcript.txt", "serial.log", "container.txt",
            "journal-sysext.txt", "sysext-status.json", "badness.txt", "files-expected.txt", "files-observed.txt", "command-line.txt",
            "result.json");
    private static final List<String> OUTCOME_FILTERS = List.of("all", "problems", "failed", "error", "skipped", "passed");

    private final RunReport report;

    MatrixPage(RunReport report) {
        this.report = report;
    }

    /**
     * The command that runs this one cell again, keeping its node for a person to log in to: with the run's own
     * {@code --extension} and {@code --scenarios}, without which a certification or an author's cell is not selected.
     */
    static String reproCommand(ScenarioResult r, List<String> sourceOptions) {
        StringBuilder c = new StringBuilder("harness/bin/sysext-harness run");
        sourceOptions.forEach(o -> c.append(' ').append(o.matches("[A-Za-z0-9_./:@=+,-]+") ? o : "'" + o.replace("'", "'\\''") + "'"));
        return c.append(" --flavor ").append(r.flavor()).append(" --scenario ").append(r.scenario()).append(" --lane ").append(r.lane())
                .append(" --keep").toString();
    }

    private static boolean problem(ScenarioResult r) {
        return r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR;
    }

    private static String classOf(String scenario) {
        int dot = scenario.lastIndexOf('.');
        return dot < 0 ? scenario : scenario.substring(0, dot);
    }

    private static String methodOf(String scenario) {
        return scenario.substring(scenario.lastIndexOf('.') + 1);
    }

    /**
     * Scenarios by class, classes with a failed or errored cell first, and within a class its failing scenarios first;
     * otherwise in the order the run met them.
     */
    Map<String, List<String>> groups() {
        List<ScenarioResult> results = report.results();
        Map<String, List<String>> byClass = new LinkedHashMap<>();
        for (String s : report.scenarios()) {
            byClass.computeIfAbsent(classOf(s), k -> new ArrayList<>()).add(s);
        }
        Comparator<String> failingFirst = Comparator.comparing(s -> results.stream().noneMatch(r -> r.scenario().equals(s) && problem(r)));
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        byClass.entrySet().stream()
                .sorted(Comparator.comparing(e -> e.getValue().stream().noneMatch(s -> results.stream().anyMatch(r -> r.scenario().equals(s) && problem(r)))))
                .forEach(e -> ordered.put(e.getKey(), e.getValue().stream().sorted(failingFirst).toList()));
        return ordered;
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
                .append("tr.class-heading th{background:#dde4ee;font-size:1.05em}td.dim{opacity:.25}")
                .append("td.cell a{color:inherit;font-weight:600;text-decoration:none}.small{font-size:.85em;color:#555}")
                .append("pre.repro{background:#f4f4f4;padding:.4em;white-space:pre-wrap}#filters label{margin-right:1.5em}")
                .append("</style></head><body>");
        h.append("<h1>sysext-harness run ").append(esc(report.runId())).append("</h1>");
        h.append("<p>").append(String.format(Locale.ROOT, "Wall time %.1f s. ", report.wallSeconds())).append(report.count(Outcome.PASSED)).append(" passed, ")
                .append(report.count(Outcome.FAILED)).append(" failed, ")
                .append(report.count(Outcome.ERROR)).append(" error, ").append(report.count(Outcome.SKIPPED)).append(" skipped. ")
                .append("Harness ").append(esc(report.harnessVersion())).append(". ")
                .append("Each cell links to its details: expected and observed, the evidence (the guest command transcript, the serial log, ")
                .append("<code>journalctl -b -u systemd-sysext</code>, <code>systemd-sysext status --json=short</code>) ")
                .append("and the command that runs it again.</p>");
        filters(h);
        h.append("<table id=\"matrix\"><thead><tr><th>scenario</th>");
        List<String> lanes = report.lanes().isEmpty() ? List.of("vm") : report.lanes();
        int columns = 1 + report.flavors().size() * lanes.size();
        for (Flavor f : report.flavors()) {
            for (String lane : lanes) {
                h.append("<th data-flavor=\"").append(esc(f.name())).append("\">").append(esc(f.name()))
                        .append(lanes.size() > 1 || !lane.equals("vm") ? " · " + esc(lane) : "")
                        .append("<br><span class=\"small\">systemd ").append(f.systemdVersion()).append("</span></th>");
            }
        }
        h.append("</tr></thead><tbody>");
        Map<String, List<String>> groups = groups();
        for (Map.Entry<String, List<String>> group : groups.entrySet()) {
            h.append("<tr class=\"class-heading\" data-class=\"").append(esc(group.getKey())).append("\"><th colspan=\"").append(columns).append("\">")
                    .append(esc(group.getKey())).append(classCounts(group.getValue())).append("</th></tr>");
            for (String s : group.getValue()) {
                h.append("<tr class=\"scenario\" data-class=\"").append(esc(group.getKey())).append("\" data-scenario=\"").append(esc(s))
                        .append("\"><th>").append(esc(methodOf(s))).append("</th>");
                for (Flavor f : report.flavors()) {
                    for (String lane : lanes) {
                        h.append(cell(f.name(), report.cell(s, f.name(), lane).orElse(null)));
                    }
                }
                h.append("</tr>");
            }
        }
        h.append("</tbody></table><p id=\"shown\" class=\"small\"></p><h2>Details</h2>");
        for (List<String> scenarios : groups.values()) {
            for (String s : scenarios) {
                for (ScenarioResult r : report.results()) {
                    if (r.scenario().equals(s)) {
                        details(h, r);
                    }
                }
            }
        }
        h.append("<script>").append(SCRIPT).append("</script>");
        h.append("</body></html>\n");
        return h.toString();
    }

    private void filters(StringBuilder h) {
        h.append("<form id=\"filters\"><label>outcome <select id=\"f-outcome\">");
        for (String o : OUTCOME_FILTERS) {
            h.append("<option value=\"").append(o).append("\">").append(o.equals("problems") ? "problems (failed + error)" : o).append("</option>");
        }
        h.append("</select></label><label>flavor <select id=\"f-flavor\"><option value=\"all\">all</option>");
        for (Flavor f : report.flavors()) {
            h.append("<option value=\"").append(esc(f.name())).append("\">").append(esc(f.name())).append("</option>");
        }
        h.append("</select></label><span class=\"small\">The filter is kept in the address (e.g. <code>#outcome=problems&amp;flavor=debian-12</code>): ")
                .append("copy it to share this view.</span></form>");
    }

    private String classCounts(List<String> scenarios) {
        long failed = 0;
        long error = 0;
        for (ScenarioResult r : report.results()) {
            if (scenarios.contains(r.scenario())) {
                failed += r.outcome() == Outcome.FAILED ? 1 : 0;
                error += r.outcome() == Outcome.ERROR ? 1 : 0;
            }
        }
        return failed + error == 0 ? "" : " <span class=\"small\">" + failed + " failed, " + error + " error</span>";
    }

    private void details(StringBuilder h, ScenarioResult r) {
        Path ev = Path.of(r.evidence()).toAbsolutePath();
        String rel = report.dir().toAbsolutePath().relativize(ev).toString();
        h.append("<section id=\"").append(anchor(r)).append("\" data-outcome=\"").append(r.outcome().label()).append("\" data-flavor=\"")
                .append(esc(r.flavor())).append("\"><h3 class=\"").append(r.outcome().label()).append("\">")
                .append(esc(r.scenario())).append(" on ").append(esc(r.flavor())).append(" (").append(esc(r.lane())).append(" lane): ").append(r.outcome().label())
                .append("</h3><table><tr><th>expected</th><td class=\"expected\">").append(esc(r.expected())).append("</td></tr>")
                .append("<tr><th>observed</th><td class=\"observed\">").append(esc(r.headline()));
        int seen = r.observed().indexOf(ScenarioResult.SEEN);
        if (seen >= 0) {
            h.append("<br>seen before that:<ul class=\"seen\">");
            for (String fact : r.observed().substring(seen + ScenarioResult.SEEN.length()).split(java.util.regex.Pattern.quote(ScenarioResult.SEEN), -1)) {
                h.append("<li>").append(esc(fact)).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("</td></tr>")
                .append("<tr><th>duration</th><td>").append(String.format(Locale.ROOT, "%.1f s", r.durationMs() / 1000.0))
                .append(r.start().equals("no node") ? "" : " (" + esc(r.start()) + ")").append("</td></tr>")
                .append("<tr><th>evidence</th><td class=\"evidence\">");
        for (String f : EVIDENCE_FILES) {
            if (Files.exists(ev.resolve(f))) {
                h.append("<a href=\"").append(esc(rel + "/" + f)).append("\">").append(f).append("</a> ");
            }
        }
        h.append("<a href=\"").append(esc(rel.isEmpty() ? "." : rel)).append("/\">").append(esc(rel.isEmpty() ? "the report directory" : rel + "/"))
                .append("</a></td></tr>")
                .append("<tr><th>run it again</th><td><pre class=\"repro\">").append(esc(reproCommand(r, report.sourceOptions()))).append("</pre></td></tr>")
                .append("</table></section>");
    }

    private static String cell(String flavor, ScenarioResult r) {
        if (r == null) {
            return "<td class=\"missing\" data-flavor=\"" + esc(flavor) + "\">–</td>";
        }
        return "<td class=\"cell " + r.outcome().label() + "\" data-outcome=\"" + r.outcome().label() + "\" data-flavor=\"" + esc(flavor)
                + "\" title=\"" + esc(r.headline()) + "\">"
                + "<a href=\"#" + anchor(r) + "\">" + r.outcome().label() + "</a>"
                + "<br><span class=\"small\">" + String.format(Locale.ROOT, "%.1f s", r.durationMs() / 1000.0) + "</span></td>";
    }

    private static String anchor(ScenarioResult r) {
        return (r.flavor() + "--" + r.lane() + "--" + r.scenario()).replaceAll("[^A-Za-z0-9_-]", "-");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * Applies the fragment's filters: columns of other flavors hidden, cells of another outcome dimmed, rows (and class
     * headings) with no matching cell hidden, details likewise. A cell's link scrolls to its details without touching the
     * fragment, which holds the filters.
     */
    private static final String SCRIPT = """
            (function () {
              var outcome = document.getElementById('f-outcome'), flavor = document.getElementById('f-flavor');
              var groups = {all: null, problems: ['failed', 'error'], failed: ['failed'], error: ['error'], skipped: ['skipped'], passed: ['passed']};
              function read() {
                var p = {outcome: 'all', flavor: 'all'};
                location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
                  var i = kv.indexOf('=');
                  if (i > 0) { var k = decodeURIComponent(kv.slice(0, i)); if (k in p) p[k] = decodeURIComponent(kv.slice(i + 1)); }
                });
                if (!(p.outcome in groups)) p.outcome = 'all';
                if (!flavor.querySelector('option[value="' + CSS.escape(p.flavor) + '"]')) p.flavor = 'all';
                return p;
              }
              function apply(p) {
                [[outcome, p.outcome], [flavor, p.flavor]].forEach(function (s) {
                  Array.prototype.forEach.call(s[0].options, function (o) { o.defaultSelected = o.value === s[1]; });
                  s[0].value = s[1];
                });
                var want = groups[p.outcome], shown = 0, total = 0;
                function flavorOk(f) { return p.flavor === 'all' || f === p.flavor; }
                function outcomeOk(o) { return !want || want.indexOf(o) >= 0; }
                document.querySelectorAll('#matrix [data-flavor]').forEach(function (c) { c.hidden = !flavorOk(c.dataset.flavor); });
                document.querySelectorAll('#matrix tr.scenario').forEach(function (row) {
                  var any = false;
                  row.querySelectorAll('td[data-outcome]').forEach(function (td) {
                    var visible = flavorOk(td.dataset.flavor), match = visible && outcomeOk(td.dataset.outcome);
                    td.classList.toggle('dim', !match);
                    if (visible) total++;
                    if (match) { any = true; shown++; }
                  });
                  row.hidden = !any;
                });
                document.querySelectorAll('#matrix tr.class-heading').forEach(function (heading) {
                  var rows = document.querySelectorAll('#matrix tr.scenario[data-class="' + CSS.escape(heading.dataset.class) + '"]');
                  heading.hidden = Array.prototype.every.call(rows, function (r) { return r.hidden; });
                });
                document.querySelectorAll('section[data-outcome]').forEach(function (s) {
                  s.hidden = !(flavorOk(s.dataset.flavor) && outcomeOk(s.dataset.outcome));
                });
                document.getElementById('shown').textContent = shown + ' of ' + total + ' cells match the filter.';
              }
              function write() {
                var h = '#outcome=' + encodeURIComponent(outcome.value) + '&flavor=' + encodeURIComponent(flavor.value);
                try { history.replaceState(null, '', h); } catch (e) { location.hash = h; }
                apply(read());
              }
              outcome.addEventListener('change', write);
              flavor.addEventListener('change', write);
              window.addEventListener('hashchange', function () { if (location.hash.indexOf('=') >= 0) apply(read()); });
              document.querySelectorAll('#matrix td.cell a').forEach(function (a) {
                a.addEventListener('click', function (e) {
                  var target = document.getElementById(a.getAttribute('href').slice(1));
                  if (target) { e.preventDefault(); target.hidden = false; target.scrollIntoView(); }
                });
              });
              apply(read());
            })();
            """;
}
