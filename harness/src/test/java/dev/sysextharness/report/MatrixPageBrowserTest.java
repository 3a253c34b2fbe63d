package dev.sysextharness.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report as a person sees it: index.html loaded in a real headless Chromium (without a network: {@code unshare
 * --net}), its DOM after the page's script ran read back with jsoup. Grouping, problems first, the repro command, and
 * the outcome and flavor filters taken from the URL fragment.
 */
@Tag("host")
class MatrixPageBrowserTest {
    @TempDir
    Path tmp;
    private Path page;

    @BeforeEach
    void writeReport() throws Exception {
        Path repo = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath();
        Flavors flavors = new Flavors(repo.resolve("vm-configs"));
        Path dir = tmp.resolve("reports/run-1");
        RunReport report = new RunReport("run-1", dir, List.of(flavors.load("debian-12"), flavors.load("debian-13")));
        // Alpha runs first and passes; Beta fails on debian-12 only; Gamma errs on debian-13 only.
        cell(report, "AlphaScenarios.a1", "debian-12", Outcome.PASSED, "merged");
        cell(report, "AlphaScenarios.a1", "debian-13", Outcome.PASSED, "merged");
        cell(report, "AlphaScenarios.a2", "debian-12", Outcome.PASSED, "merged");
        cell(report, "AlphaScenarios.a2", "debian-13", Outcome.SKIPPED, "needs systemd < 257");
        cell(report, "BetaScenarios.b1", "debian-12", Outcome.PASSED, "merged");
        cell(report, "BetaScenarios.b1", "debian-13", Outcome.PASSED, "merged");
        cell(report, "BetaScenarios.b2", "debian-12", Outcome.FAILED,
                "/opt merged" + ScenarioResult.SEEN + "unit active" + ScenarioResult.SEEN + "hello on /usr <bin>");
        cell(report, "BetaScenarios.b2", "debian-13", Outcome.PASSED, "not merged");
        cell(report, "GammaScenarios.g1", "debian-12", Outcome.PASSED, "merged");
        cell(report, "GammaScenarios.g1", "debian-13", Outcome.ERROR, "debian-13: no SSH within 120 s");
        Files.createDirectories(dir.resolve("evidence/debian-12/BetaScenarios.b2"));
        Files.writeString(dir.resolve("evidence/debian-12/BetaScenarios.b2/transcript.txt"), "$ systemd-sysext status\n");
        report.write();
        page = dir.resolve("index.html");
    }

    private static void cell(RunReport report, String scenario, String flavor, Outcome outcome, String observed) {
        Path evidence = report.dir().resolve("evidence/" + flavor + "/" + scenario);
        report.add(new ScenarioResult(flavor, "vm", scenario, outcome, "/opt not merged", observed, 1500, evidence.toString(), 0, "restore"));
    }

    /** The DOM Chromium made of the page at {@code fragment}, after its script ran. */
    private Document load(String fragment) throws Exception {
        Path dom = tmp.resolve("dom-" + Math.abs(fragment.hashCode()) + ".html");
        Path log = tmp.resolve("chromium.log");
        if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            fail("chromium is not installed (harness/bin/sysext-harness selftest installs it: apt-get install chromium)");
        }
        ProcessBuilder pb = new ProcessBuilder("unshare", "--net", "--", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("profile"), "--dump-dom", page.toUri() + fragment)
                .redirectOutput(dom.toFile()).redirectError(log.toFile());
        pb.environment().put("HOME", tmp.toString());
        Process chromium = OwnedProcesses.startTree(pb);
        try {
            if (!chromium.waitFor(180, TimeUnit.SECONDS)) {
                fail("chromium did not dump the page within 180 s; its log: " + Files.readString(log));
            }
        } finally {
            OwnedProcesses.end(chromium, 2000);
        }
        assertThat(chromium.exitValue()).as("chromium's exit status; its log: %s", Files.readString(log)).isZero();
        String html = Files.readString(dom);
        assertThat(html).as("the dumped DOM").contains("id=\"matrix\"");
        return Jsoup.parse(html);
    }

    /** The option a select shows, as the page's script marked it (the DOM keeps selectedness as the attribute). */
    private static String selected(Document d, String select) {
        return d.select("#" + select + " option[selected]").eachAttr("value").toString();
    }

    private static List<String> visibleHeadings(Document d) {
        return d.select("#matrix tr.class-heading:not([hidden])").stream().map(e -> e.attr("data-class")).toList();
    }

    private static Element row(Document d, String scenario) {
        Element row = d.selectFirst("#matrix tr.scenario[data-scenario=" + scenario + "]");
        assertThat(row).as("the row of %s", scenario).isNotNull();
        return row;
    }

    @Test
    void unfilteredClassesAreGroupedWithProblemsFirstAndTheFailedCellSaysHowToRunItAgain() throws Exception {
        Document d = load("");

        assertThat(d.select("#matrix tr.class-heading").stream().map(e -> e.attr("data-class")).toList())
                .as("class headings, in order").containsExactly("BetaScenarios", "GammaScenarios", "AlphaScenarios");
        assertThat(d.select("#matrix tr.scenario[data-class=BetaScenarios]").stream().map(e -> e.attr("data-scenario")).toList())
                .as("Beta's scenarios, the failing one first").containsExactly("BetaScenarios.b2", "BetaScenarios.b1");
        assertThat(d.select("#matrix tr.scenario[hidden]")).as("rows hidden without a filter").isEmpty();
        assertThat(selected(d, "f-outcome")).as("the outcome select without a fragment").isEqualTo("[all]");

        Element failed = d.getElementById("debian-12--vm--BetaScenarios-b2");
        assertThat(failed).as("the failed cell's details").isNotNull();
        assertThat(failed.selectFirst("pre.repro").text()).as("its repro command")
                .isEqualTo("harness/bin/sysext-harness run --flavor debian-12 --scenario BetaScenarios.b2 --lane vm --keep");
        assertThat(failed.selectFirst("td.expected").text()).as("expected").isEqualTo("/opt not merged");
        assertThat(failed.selectFirst("td.observed").ownText()).as("observed headline").startsWith("/opt merged");
        assertThat(failed.select("ul.seen li").eachText()).as("the facts seen, as a list").containsExactly("unit active", "hello on /usr <bin>");
        assertThat(failed.select("td.evidence a").eachAttr("href")).as("evidence links")
                .contains("evidence/debian-12/BetaScenarios.b2/transcript.txt");
    }

    @Test
    void problemsFilterFromTheFragmentHidesPassingRowsAndDimsPassedCells() throws Exception {
        Document d = load("#outcome=problems");

        assertThat(selected(d, "f-outcome")).as("the outcome select shows the fragment's filter").isEqualTo("[problems]");
        assertThat(row(d, "AlphaScenarios.a1").hasAttr("hidden")).as("a1 (all passed) hidden").isTrue();
        assertThat(row(d, "AlphaScenarios.a2").hasAttr("hidden")).as("a2 (passed, skipped) hidden").isTrue();
        assertThat(row(d, "BetaScenarios.b1").hasAttr("hidden")).as("b1 (all passed) hidden").isTrue();
        assertThat(row(d, "BetaScenarios.b2").hasAttr("hidden")).as("b2 (failed on debian-12) shown").isFalse();
        assertThat(row(d, "GammaScenarios.g1").hasAttr("hidden")).as("g1 (error on debian-13) shown").isFalse();
        assertThat(visibleHeadings(d)).as("visible class headings").containsExactly("BetaScenarios", "GammaScenarios");
        assertThat(row(d, "BetaScenarios.b2").select("td.passed").hasClass("dim")).as("b2's passed cell dimmed").isTrue();
        assertThat(row(d, "BetaScenarios.b2").select("td.failed").hasClass("dim")).as("b2's failed cell not dimmed").isFalse();
        assertThat(d.select("section[data-outcome]:not([hidden])").eachAttr("id")).as("details shown")
                .containsExactly("debian-12--vm--BetaScenarios-b2", "debian-13--vm--GammaScenarios-g1");
        assertThat(d.getElementById("shown").text()).as("the count line").isEqualTo("2 of 10 cells match the filter.");
    }

    @Test
    void flavorFilterKeepsOnlyThatFlavorsColumnAndProblems() throws Exception {
        Document d = load("#outcome=problems&flavor=debian-13");

        assertThat(selected(d, "f-flavor")).as("the flavor select").isEqualTo("[debian-13]");
        assertThat(d.select("#matrix thead th[data-flavor]:not([hidden])").eachAttr("data-flavor")).as("visible flavor columns")
                .containsExactly("debian-13");
        assertThat(d.select("#matrix td[data-flavor=debian-12]:not([hidden])")).as("debian-12 cells left visible").isEmpty();
        assertThat(row(d, "BetaScenarios.b2").hasAttr("hidden")).as("b2 (its failure is on debian-12) hidden").isTrue();
        assertThat(row(d, "GammaScenarios.g1").hasAttr("hidden")).as("g1 (error on debian-13) shown").isFalse();
        assertThat(visibleHeadings(d)).as("visible class headings").containsExactly("GammaScenarios");

        Document all = load("#outcome=all&flavor=debian-12");
        assertThat(all.select("#matrix tr.scenario:not([hidden])")).as("rows with a debian-12 cell: all five scenarios").hasSize(5);
        assertThat(all.select("#matrix td[data-flavor=debian-13]:not([hidden])")).as("debian-13 cells left visible").isEmpty();
        assertThat(all.select("section[data-outcome]:not([hidden])").eachAttr("data-flavor")).as("details shown")
                .hasSize(5).containsOnly("debian-12");
    }
}
