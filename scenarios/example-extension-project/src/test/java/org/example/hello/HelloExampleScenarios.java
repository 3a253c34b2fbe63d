package org.example.hello;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.sysext.SysextAssert.assertThat;

import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.PublishedExtension;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.extension.Extension;
import dev.sysextharness.guest.Node;
import dev.sysextharness.sysext.MergeExpectation;
import dev.sysextharness.sysext.Sysext;
import java.util.List;

/**
 * What this project promises about its extension (extensions/hello-example/, given to the run as {@code --extension}), on
 * every flavor the run selects: unpacked at runtime the way the flavor unpacks images and merged by the service, its
 * command works; unmerged, it is gone. Written against the harness's public API only.
 */
class HelloExampleScenarios {
    /** What usr/share/hello-example/greeting.txt says, and so what hello-example prints. */
    static final String GREETING = "hello from an extension of your own";

    @Scenario
    void helloExampleWorksWhileMergedAndIsGoneAfterUnmerge(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Extension definition = ext.definition(Extensions.USER);
        PublishedExtension hello = ext.published(Extensions.USER);
        // the hierarchies it must appear on follow from the flavor's list and the files it ships, not from the node
        List<String> on = MergeExpectation.hierarchiesFor(sysext.hierarchies(), definition.files());
        expect.that("before: " + hello.extensionName() + " not merged")
                .that("after unpacking " + hello.guestRef() + " with the flavor's command and restarting systemd-sysext:"
                        + " merged on exactly " + on + "; `hello-example` prints '" + GREETING + "'")
                .that("after the service stops (its unmerge): not merged; no hello-example command, no /usr/share/hello-example");

        assertThat(sysext).hasNotMerged(hello.extensionName());

        assertThatCommand(sysext.unpack(hello.guestRef(), hello.extensionName())).succeeds();
        assertThatCommand(sysext.refresh()).succeeds();
        assertThat(sysext).hasMerged(hello.extensionName()).on(on.toArray(String[]::new));
        assertThatCommand(node.run("hello-example")).succeeds().printsLine(GREETING);

        assertThatCommand(sysext.stopService()).succeeds();
        assertThat(sysext).hasNotMerged(hello.extensionName());
        assertThatCommand(node.run("command -v hello-example")).as("hello-example on PATH after unmerge").fails();
        assertThatCommand(node.run("test -e /usr/share/hello-example")).as("/usr/share/hello-example after unmerge").fails();
    }
}
