package dev.sysextharness.scenarios;

import static dev.sysextharness.guest.CommandResultAssert.assertThatCommand;
import static dev.sysextharness.scenarios.CompatibilityScenarios.marked;
import static dev.sysextharness.sysext.SysextAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.api.Expectation;
import dev.sysextharness.api.Extensions;
import dev.sysextharness.api.Scenario;
import dev.sysextharness.flavor.Capability;
import dev.sysextharness.flavor.Family;
import dev.sysextharness.flavor.ImmucoreRelease;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Node;
import dev.sysextharness.sysext.DirectoryExtension;
import dev.sysextharness.sysext.KairosAgent;
import dev.sysextharness.sysext.KairosExtensionLinks;
import dev.sysextharness.sysext.KairosExtensionLinks.Outcome;
import dev.sysextharness.sysext.KairosExtensionLinks.State;
import dev.sysextharness.sysext.MergeOracle;
import dev.sysextharness.sysext.Sysext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code kairos-agent sysext} as Kairos documents it: install a DDI (file: or oci: from the run's registry) into
 * /var/lib/kairos/extensions, enable it per boot state with and without --now, across a reboot (immucore links the
 * state's and common/'s images into /run/extensions), disable, remove. Each step's outcome — the agent's exit status,
 * what /run/extensions holds, and what the service then merges — is predicted by {@link KairosExtensionLinks} (the
 * agent's and immucore's code) and {@link MergeOracle} (the flavor's systemd) and written down before the step runs.
 * Kairos flavors only: a reference node has neither kairos-agent nor immucore. The image is a verity DDI, which
 * Kairos's non-UKI policy admits, named NAME.raw so that its name is the same on every systemd version (the
 * NAME.sysext.raw naming is DdiScenarios' subject).
 */
class KairosAgentScenarios {
    /** One scenario's node, agent, model and the image it installs, stepping all of them together. */
    static final class Steps {
        final Node node;
        final Sysext sysext;
        final Expectation expect;
        final KairosAgent agent;
        final KairosExtensionLinks links;
        final DirectoryExtension image;

        /** What the service merged last, as predicted: nothing at first (no image in /run/extensions yet). */
        private MergeOracle.Prediction merged;

        Steps(Node node, Sysext sysext, Expectation expect, String name) {
            this.node = node;
            this.sysext = sysext;
            this.expect = expect;
            this.agent = new KairosAgent(node);
            this.links = new KairosExtensionLinks(ImmucoreRelease.parse(node.flavor().image().kairos().immucore()), State.ACTIVE);
            this.image = marked(name).release("ID=_any").asVerityDdi(name + ".raw").in("/var/tmp");
            this.merged = mergeNow();
            expect.that("the node is booted into active (/run/cos/active_mode exists), as after an install");
            assertThatCommand(node.run("test -e /run/cos/active_mode")).as("booted into active").succeeds();
        }

        String file() {
            return image.fileName();
        }

        /**
         * Predicts one agent command with the model, writes it down, runs it, checks its exit status and /run/extensions;
         * then what is merged: the restart's result when the command restarts the service (whose failure the agent
         * returns as its own), else the same as before.
         */
        void step(String what, Outcome predicted, Supplier<CommandResult> run) {
            MergeOracle.Prediction restart = predicted.restartsService() ? mergeNow() : null;
            boolean succeeds = predicted.succeeds() && (restart == null || restart.succeeds());
            expect.that(what + ": " + predicted.describe() + (succeeds == predicted.succeeds() ? "" : ", then fails with the restart")
                    + "; /run/extensions then holds " + links.runExtensions()
                    + (restart == null ? "; what is merged does not change" : "; the restart: " + restart.describe()));
            CommandResult r = run.get();
            if (succeeds) {
                assertThatCommand(r).as(what).succeeds();
            } else {
                assertThatCommand(r).as(what).fails();
            }
            assertThat(agent.runExtensions()).as("/run/extensions after %s", what).isEqualTo(links.runExtensions());
            observeMerge(restart != null ? restart : merged);
        }

        /** A reboot: immucore links again, the service merges at boot; both predicted before the node goes down. */
        void reboot() {
            KairosExtensionLinks.Relinked relinked = links.reboot();
            MergeOracle.Prediction atBoot = mergeNow();
            expect.that("after a reboot immucore (" + node.flavor().image().kairos().immucore() + ") " + relinked.describe()
                    + "; the service at boot: " + atBoot.describe());
            node.reboot();
            assertThat(agent.runExtensions()).as("/run/extensions after the reboot").isEqualTo(links.runExtensions());
            observeMerge(atBoot);
        }

        /** The service restarted by hand (a refresh), after the model's last step. */
        void refresh() {
            MergeOracle.Prediction p = mergeNow();
            expect.that("a restart of the service: " + p.describe());
            sysext.refresh();
            observeMerge(p);
        }

        private void observeMerge(MergeOracle.Prediction p) {
            assertThat(sysext).refreshedAs(p);
            CompatibilityScenarios.observeMarkers(node, p, image);
            merged = p;
        }

        /** What the service merges from /run/extensions as the model has it now (one image per scenario). */
        MergeOracle.Prediction mergeNow() {
            List<MergeOracle.Image> images = new ArrayList<>();
            for (String name : links.resolving()) {
                if (!name.equals(file())) {
                    throw new IllegalStateException("the model links " + name + ", which this scenario never installed");
                }
                images.add(image.asImage().in(KairosExtensionLinks.RUN));
            }
            for (String name : links.dangling()) {
                images.add(MergeOracle.Image.danglingLink(KairosExtensionLinks.RUN, name));
            }
            return MergeOracle.predict(node.systemd(), sysext.imagePolicy(), sysext.hierarchies(), sysext.hostOsRelease(), images);
        }

        void enable(State state, boolean now) {
            step("enable " + state.flag() + (now ? " --now" : ""), links.enable(state, file(), now), () -> agent.enable(state, file(), now));
        }

        void disable(State state, boolean now) {
            step("disable " + state.flag() + (now ? " --now" : ""), links.disable(state, file(), now), () -> agent.disable(state, file(), now));
        }

        void remove(boolean now) {
            step("remove" + (now ? " --now" : ""), links.remove(file(), now), () -> agent.remove(file(), now));
        }

        void installFromFile() {
            sysext.place(image);
            step("install file://" + image.path(), links.install(file()), () -> agent.install("file://" + image.path()));
        }
    }

    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void enableNowMergesAtOnceAndAgainAfterReboot(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentnow");
        s.installFromFile();
        s.enable(State.ACTIVE, true);
        s.reboot();
    }

    /** Installed from the run's registry: an image holding the DDI at its root, as AuroraBoot's docs publish one. */
    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void installFromTheRegistryThenEnable(Node node, Sysext sysext, Extensions ext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentoci");
        String ref = "oci:" + ext.publishedFile("agentoci-ddi", sysext.ddiOnHost(s.image));
        s.step("install " + ref, s.links.install(s.file()), () -> s.agent.install(ref));
        assertThatCommand(node.run("test -f " + KairosExtensionLinks.STORE + "/" + s.file())).as("the DDI in the store").succeeds();
        s.enable(State.ACTIVE, true);
    }

    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void enableWithoutNowWaitsForTheNextBoot(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentlater");
        s.installFromFile();
        s.enable(State.ACTIVE, false);
        s.reboot();
    }

    /** Enabled for the passive state only: nothing on the active boot, now or after a reboot into active. */
    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void enablingForPassiveLeavesTheActiveBootAlone(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentpassive");
        s.installFromFile();
        s.enable(State.PASSIVE, true);
        s.reboot();
    }

    /**
     * Enabled for every state: --now merges it at once; after a reboot immucore links it — through the booted state's
     * directory before immucore v0.13.0, where it is not, so the link dangles (the suspected v3.7.x bug this settles).
     */
    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void commonMergesNowAndAfterRebootFollowsImmucoresLink(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentcommon");
        s.installFromFile();
        s.enable(State.COMMON, true);
        s.reboot();
    }

    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void disableNowUnmergesAndRemoveNowTakesItAway(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentgone");
        s.installFromFile();
        s.enable(State.ACTIVE, true);
        s.disable(State.ACTIVE, true);
        s.enable(State.ACTIVE, true);
        s.remove(true);
        assertThatCommand(node.run("test -e " + KairosExtensionLinks.STORE + "/" + s.file())).as("the image, removed").fails();
        s.reboot();
    }

    /**
     * remove without --now leaves /run/extensions/NAME leading nowhere; the next restart of the service drops the image.
     * Installed and enabled --now again, the agent fails on the link still there (file exists), which leads to the
     * image again, so the next restart merges it.
     */
    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void removeWithoutNowLeavesALinkToNothing(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentstale");
        s.installFromFile();
        s.enable(State.ACTIVE, true);
        s.remove(false);
        s.refresh();
        s.installFromFile();
        s.enable(State.ACTIVE, true);
        s.refresh();
    }

    /** disable without --now: the link in /run/extensions leads nowhere, so the next restart of the service drops the image. */
    @Scenario(families = Family.KAIROS, requires = Capability.ID_ANY)
    void disableWithoutNowDropsItAtTheNextRefresh(Node node, Sysext sysext, Expectation expect) {
        Steps s = new Steps(node, sysext, expect, "agentoff");
        s.installFromFile();
        s.enable(State.ACTIVE, true);
        s.disable(State.ACTIVE, false);
        s.refresh();
    }
}
