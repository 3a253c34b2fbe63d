package org.example.hello;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.cli.Main;
import org.junit.jupiter.api.Test;

/**
 * `mvn verify` runs this project's scenarios exactly as `sysext-harness run` would: this JVM's compiled test classes
 * are the scenarios, extensions/hello-example/ is the extension they receive, and the report (summary.json, index.html, JUnit XML,
 * evidence) goes under target/sysext-reports/. Pass -Dsysext.cacheDir=DIR to share an image cache.
 */
class HelloExampleIT {
    @Test
    void everyScenarioPassesOnTheDefaultFlavor() {
        int exit = Main.execute("run", "--scenarios", "target/test-classes", "--extension", "extensions/hello-example",
                "--report-dir", "target/sysext-reports");

        assertThat(exit).as("exit code of sysext-harness run (0: every cell judged and passed; 1: a scenario failed;"
                + " 2: bad input; 3: a cell could not be judged); report: target/sysext-reports/latest/index.html").isZero();
    }
}
