package dev.sysextharness.scenario;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** result.json and failure.txt in a scenario's evidence directory. */
final class ScenarioResultFile {
    private ScenarioResultFile() {
    }

    static void write(Path dir, Map<String, String> entry, Throwable failure) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        entry.forEach(json::put);
        Files.writeString(dir.resolve("result.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        if (failure != null) {
            StringWriter sw = new StringWriter();
            failure.printStackTrace(new PrintWriter(sw));
            Files.writeString(dir.resolve("failure.txt"), sw.toString());
        }
    }
}
