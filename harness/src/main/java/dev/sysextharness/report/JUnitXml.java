package dev.sysextharness.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The run as Ant-style JUnit XML, the format Jenkins and GitLab read: {@code junit/TEST-<class>.xml} per scenario class,
 * a {@code <testcase name="method [flavor/lane]">} per cell, times as plain decimals in seconds. Written from the
 * run's results rather than by JUnit's own listener, which names cells by invocation index and formats times with the
 * default locale's grouping ("1,216.982"), both of which CI tools misread.
 */
public final class JUnitXml {
    /** The package the scenario classes live in: results name them by simple name. */
    public static final String SCENARIO_PACKAGE = "dev.sysextharness.scenarios";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private final RunReport report;
    private final String hostname;

    JUnitXml(RunReport report, String hostname) {
        this.report = report;
        this.hostname = hostname;
    }

    /** Writes one file per scenario class under {@code dir}, each replacing its predecessor whole. */
    void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, List<ScenarioResult>> suite : byClass().entrySet()) {
            Path file = dir.resolve("TEST-" + suite.getKey() + ".xml");
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
                suite(xml, suite.getKey(), suite.getValue());
                xml.close();
            } catch (XMLStreamException e) {
                throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Results grouped by fully qualified scenario class, in the order the run produced them. */
    private Map<String, List<ScenarioResult>> byClass() {
        Map<String, List<ScenarioResult>> classes = new LinkedHashMap<>();
        for (ScenarioResult r : report.results()) {
            classes.computeIfAbsent(className(r, report), k -> new java.util.ArrayList<>()).add(r);
        }
        return classes;
    }

    /** The scenario's class as the run met it (any package: an author's own), else as the built-in package names it. */
    static String className(ScenarioResult r, RunReport report) {
        String simple = r.scenario().contains(".") ? r.scenario().substring(0, r.scenario().lastIndexOf('.')) : r.scenario();
        return report.qualifiedClass(simple).orElse(SCENARIO_PACKAGE + "." + simple);
    }

    static String testName(ScenarioResult r) {
        String method = r.scenario().substring(r.scenario().lastIndexOf('.') + 1);
        return method + " [" + r.flavor() + "/" + r.lane() + "]";
    }

    /** Seconds with three decimals, never grouped, whatever the default locale. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private void suite(XMLStreamWriter xml, String className, List<ScenarioResult> cells) throws XMLStreamException {
        xml.writeStartDocument("UTF-8", "1.0");
        xml.writeCharacters("\n");
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", className);
        xml.writeAttribute("tests", Integer.toString(cells.size()));
        xml.writeAttribute("failures", Long.toString(count(cells, Outcome.FAILED)));
        xml.writeAttribute("errors", Long.toString(count(cells, Outcome.ERROR)));
        xml.writeAttribute("skipped", Long.toString(count(cells, Outcome.SKIPPED)));
        xml.writeAttribute("time", seconds(cells.stream().mapToLong(ScenarioResult::durationMs).sum()));
        xml.writeAttribute("timestamp", TIMESTAMP.format(report.started().truncatedTo(ChronoUnit.SECONDS)));
        xml.writeAttribute("hostname", clean(hostname));
        xml.writeCharacters("\n  ");
        xml.writeStartElement("properties");
        property(xml, "run", report.runId());
        property(xml, "harnessVersion", report.harnessVersion());
        xml.writeEndElement();
        for (ScenarioResult r : cells) {
            xml.writeCharacters("\n  ");
            testcase(xml, r);
        }
        xml.writeCharacters("\n");
        xml.writeEndElement();
        xml.writeCharacters("\n");
        xml.writeEndDocument();
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", clean(value));
    }

    private void testcase(XMLStreamWriter xml, ScenarioResult r) throws XMLStreamException {
        boolean empty = r.outcome() == Outcome.PASSED;
        if (empty) {
            xml.writeEmptyElement("testcase");
        } else {
            xml.writeStartElement("testcase");
        }
        xml.writeAttribute("name", clean(testName(r)));
        xml.writeAttribute("classname", className(r, report));
        xml.writeAttribute("time", seconds(r.durationMs()));
        switch (r.outcome()) {
            case PASSED -> {
                return;
            }
            case SKIPPED -> {
                xml.writeEmptyElement("skipped");
                xml.writeAttribute("message", clean(r.observed()));
            }
            case FAILED, ERROR -> {
                xml.writeStartElement(r.outcome() == Outcome.FAILED ? "failure" : "error");
                xml.writeAttribute("message", clean(r.headline()));
                xml.writeAttribute("type", r.outcome() == Outcome.FAILED ? "sysext-harness.failed" : "sysext-harness.error");
                xml.writeCharacters(clean("expected: " + r.expected() + "\nobserved: " + r.observed().replace(ScenarioResult.SEEN, "\n  seen: ")
                        + "\nevidence: " + evidence(r) + "\n"));
                xml.writeEndElement();
            }
        }
        xml.writeEndElement();
    }

    private String evidence(ScenarioResult r) {
        return report.dir().toAbsolutePath().relativize(Path.of(r.evidence()).toAbsolutePath()).toString();
    }

    private static long count(List<ScenarioResult> cells, Outcome outcome) {
        return cells.stream().filter(r -> r.outcome() == outcome).count();
    }

    /**
     * Text as XML 1.0 may carry it: serial logs and guest output bring control characters (ESC of colour codes) that
     * no XML parser accepts, so each becomes U+FFFD; tab, newline and carriage return stay.
     */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                    || (c >= 0x10000 && c <= 0x10FFFF);
            b.appendCodePoint(allowed ? c : 0xFFFD);
        });
        return b.toString();
    }

    /** The name this machine gives itself (the kernel's, read without any name lookup), for the suites' hostname. */
    static String localHostname() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "localhost" : name;
        } catch (IOException e) {
            return "localhost";
        }
    }
}
