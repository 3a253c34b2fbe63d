package dev.sysextharness.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXParseException;

/**
 * The JUnit XML a run writes is what CI servers read: valid against the Ant JUnit schema (ant-junit.xsd beside this
 * test), cells named by method and flavor/lane, times plain decimals whatever the locale, messages escaped.
 */
class JUnitXmlTest {
    private static Schema schema;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadSchema() throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        schema = factory.newSchema(new StreamSource(JUnitXmlTest.class.getResource("ant-junit.xsd").toString()));
    }

    private RunReport report() {
        Path dir = tmp.resolve("run-1");
        RunReport report = new RunReport("run-1", dir, List.of());
        String ev = dir.resolve("evidence").toString();
        report.add(new ScenarioResult("debian-12", "vm", "MergeScenarios.helloMerges", Outcome.PASSED, "merged", "merged", 1_216_982,
                ev + "/a", 0, "restore"));
        report.add(new ScenarioResult("debian-12", "container", "MergeScenarios.optStaysOut", Outcome.FAILED,
                "/opt not merged <&\"> as the drop-in says", "/opt merged" + ScenarioResult.SEEN + "unit active; hello on /usr\u001b[0m",
                2_500, ev + "/b", 1, "container"));
        report.add(new ScenarioResult("debian-13", "vm", "RebootScenarios.survivesReboot", Outcome.ERROR, "(not declared)",
                "debian-13: no SSH within 120 s", 120_000, ev + "/c", 0, "cold boot"));
        report.add(new ScenarioResult("debian-13", "vm", "RebootScenarios.mutableMode", Outcome.SKIPPED, "(not applicable)",
                "needs systemd >= 256 <mutable>", 0, ev + "/d", 0, "no node"));
        return report;
    }

    private Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setSchema(null);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static Element testcase(Document doc, String name) {
        NodeList cases = doc.getElementsByTagName("testcase");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            Element e = (Element) cases.item(i);
            if (e.getAttribute("name").equals(name)) {
                return e;
            }
            names.add(e.getAttribute("name"));
        }
        throw new AssertionError("no testcase named '" + name + "' among " + names);
    }

    @Test
    void oneValidFilePerScenarioClassWithPlainTimesUnderAGroupingLocale() throws Exception {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.US); // whose default format would write 1,216.982
            report().write();
        } finally {
            Locale.setDefault(before);
        }
        Path junit = tmp.resolve("run-1/junit");
        Path merge = junit.resolve("TEST-dev.sysextharness.scenarios.MergeScenarios.xml");
        Path reboot = junit.resolve("TEST-dev.sysextharness.scenarios.RebootScenarios.xml");
        try (var files = Files.list(junit)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).as("files under junit/")
                    .containsExactly(merge.getFileName().toString(), reboot.getFileName().toString());
        }
        for (Path file : List.of(merge, reboot)) {
            schema.newValidator().validate(new StreamSource(file.toFile())); // throws, naming line and column, if invalid
        }

        Document m = parse(merge);
        Element suite = m.getDocumentElement();
        assertThat(suite.getAttribute("name")).as("suite name").isEqualTo("dev.sysextharness.scenarios.MergeScenarios");
        assertThat(List.of(suite.getAttribute("tests"), suite.getAttribute("failures"), suite.getAttribute("errors"), suite.getAttribute("skipped")))
                .as("tests, failures, errors, skipped").containsExactly("2", "1", "0", "0");
        assertThat(suite.getAttribute("time")).as("suite time: the sum of its cells").isEqualTo("1219.482");
        assertThat(suite.getAttribute("hostname")).as("hostname").isNotBlank();

        Element passed = testcase(m, "helloMerges [debian-12/vm]");
        assertThat(passed.getAttribute("classname")).as("classname").isEqualTo("dev.sysextharness.scenarios.MergeScenarios");
        assertThat(passed.getAttribute("time")).as("a time over 1000 s, ungrouped").isEqualTo("1216.982");
        assertThat(passed.getChildNodes().getLength()).as("a passed cell has no children").isZero();

        Element failure = (Element) testcase(m, "optStaysOut [debian-12/container]").getElementsByTagName("failure").item(0);
        assertThat(failure).as("the failed cell's <failure>").isNotNull();
        assertThat(failure.getAttribute("message")).as("message: the headline, without the seen facts").isEqualTo("/opt merged");
        assertThat(failure.getTextContent()).as("failure text")
                .contains("expected: /opt not merged <&\"> as the drop-in says", "observed: /opt merged", "seen: unit active; hello on /usr\uFFFD[0m",
                        "evidence: evidence/b");

        Document r = parse(reboot);
        Element error = (Element) testcase(r, "survivesReboot [debian-13/vm]").getElementsByTagName("error").item(0);
        assertThat(error).as("the errored cell's <error>").isNotNull();
        assertThat(error.getAttribute("message")).as("error message").isEqualTo("debian-13: no SSH within 120 s");
        assertThat(error.getTextContent()).as("error text").contains("evidence: evidence/c");
        assertThat(testcase(r, "survivesReboot [debian-13/vm]").getAttribute("time")).as("120 s").isEqualTo("120.000");
        Element skipped = (Element) testcase(r, "mutableMode [debian-13/vm]").getElementsByTagName("skipped").item(0);
        assertThat(skipped).as("the skipped cell's <skipped>").isNotNull();
        assertThat(skipped.getAttribute("message")).as("skip reason, unescaped by the parser").isEqualTo("needs systemd >= 256 <mutable>");
        assertThat(List.of(r.getDocumentElement().getAttribute("errors"), r.getDocumentElement().getAttribute("skipped")))
                .as("errors, skipped of the second suite").containsExactly("1", "1");
    }

    /** The schema is a real check: the file as JUnit's own listener wrote it under a grouping locale does not pass. */
    @Test
    void aLocaleGroupedTimeOrAMissingClassnameDoesNotValidate() throws Exception {
        report().write();
        Path merge = tmp.resolve("run-1/junit/TEST-dev.sysextharness.scenarios.MergeScenarios.xml");
        String good = Files.readString(merge);
        assertThat(good).as("the written file has the plain time").contains("time=\"1216.982\"");

        Path grouped = tmp.resolve("grouped.xml");
        Files.writeString(grouped, good.replace("time=\"1216.982\"", "time=\"1,216.982\""));
        assertThatThrownBy(() -> schema.newValidator().validate(new StreamSource(grouped.toFile())))
                .as("a grouped time").isInstanceOf(SAXParseException.class).hasMessageContaining("1,216.982");

        Path noClass = tmp.resolve("no-classname.xml");
        Files.writeString(noClass, good.replace(" classname=\"dev.sysextharness.scenarios.MergeScenarios\"", ""));
        assertThatThrownBy(() -> schema.newValidator().validate(new StreamSource(noClass.toFile())))
                .as("a testcase without classname").isInstanceOf(SAXParseException.class).hasMessageContaining("classname");
    }

    @Test
    void anAuthorsScenarioClassKeepsItsOwnPackage() throws Exception {
        Path dir = tmp.resolve("run-2");
        RunReport report = new RunReport("run-2", dir, List.of());
        report.classMet("org.example.hello.HelloExampleScenarios");
        report.add(new ScenarioResult("debian-12", "vm", "HelloExampleScenarios.greets", Outcome.PASSED, "e", "o", 1000,
                dir.resolve("evidence").toString(), 0, "restore"));
        report.write();

        Path file = dir.resolve("junit/TEST-org.example.hello.HelloExampleScenarios.xml");
        assertThat(file).as("a file named for the class in its own package").exists();
        assertThat(testcase(parse(file), "greets [debian-12/vm]").getAttribute("classname")).isEqualTo("org.example.hello.HelloExampleScenarios");
    }

    @Test
    void controlCharactersFromGuestOutputBecomeReplacementCharacters() {
        assertThat(JUnitXml.clean("a\u001bb\tc\nd\u0000")).as("cleaned").isEqualTo("a\uFFFDb\tc\nd\uFFFD");
        assertThat(JUnitXml.seconds(1_216_982)).as("seconds").isEqualTo("1216.982");
    }
}
