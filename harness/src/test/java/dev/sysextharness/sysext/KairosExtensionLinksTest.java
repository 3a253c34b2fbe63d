package dev.sysextharness.sysext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysextharness.flavor.ImmucoreRelease;
import dev.sysextharness.sysext.KairosExtensionLinks.Outcome;
import dev.sysextharness.sysext.KairosExtensionLinks.State;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model of kairos-agent's and immucore's links, step by step, against their code as read (kairos-agent v2.26.0
 * action/sysext.go, immucore v0.12.0 EnableSysExtensions and the fix after it).
 */
class KairosExtensionLinksTest {
    static final ImmucoreRelease V0_12 = ImmucoreRelease.parse("v0.12.0");
    static final ImmucoreRelease V0_13 = ImmucoreRelease.parse("v0.13.0");
    static final String X = "x.raw";

    static KairosExtensionLinks installed(ImmucoreRelease immucore) {
        KairosExtensionLinks links = new KairosExtensionLinks(immucore, State.ACTIVE);
        links.install(X);
        return links;
    }

    @Test
    void enableNowInTheBootedStateLinksRunAndRestarts() {
        KairosExtensionLinks links = installed(V0_12);
        Outcome o = links.enable(State.ACTIVE, X, true);
        assertThat(o.succeeds()).isTrue();
        assertThat(o.restartsService()).isTrue();
        assertThat(links.runExtensions()).isEqualTo(Map.of(X, "/var/lib/kairos/extensions/active/x.raw"));
        assertThat(links.resolving()).containsExactly(X);
    }

    @Test
    void enableWithoutNowLinksOnlyTheStateDirectoryUntilTheNextBoot() {
        KairosExtensionLinks links = installed(V0_12);
        Outcome o = links.enable(State.ACTIVE, X, false);
        assertThat(o.restartsService()).isFalse();
        assertThat(links.runExtensions()).isEmpty();
        assertThat(links.reboot().links()).containsExactly("/run/extensions/x.raw → /var/lib/kairos/extensions/active/x.raw");
        assertThat(links.resolving()).containsExactly(X);
    }

    @Test
    void enableNowForAnotherStateLinksNothingNowNorAfterARebootIntoActive() {
        KairosExtensionLinks links = installed(V0_12);
        Outcome o = links.enable(State.PASSIVE, X, true);
        assertThat(o.succeeds()).isTrue();
        assertThat(o.restartsService()).isFalse();
        assertThat(o.why()).contains("booted into active, not passive");
        assertThat(links.runExtensions()).isEmpty();
        links.reboot();
        assertThat(links.runExtensions()).isEmpty();
        assertThat(links.enabledIn(State.PASSIVE)).containsExactly(X);
    }

    @Test
    void enablingWhatIsNotInstalledFails() {
        KairosExtensionLinks links = new KairosExtensionLinks(V0_12, State.ACTIVE);
        assertThat(links.enable(State.ACTIVE, X, true).succeeds()).isFalse();
        assertThat(links.runExtensions()).isEmpty();
    }

    @Test
    void enablingTwiceIsANoOpEvenWithNow() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, false);
        Outcome again = links.enable(State.ACTIVE, X, true);
        assertThat(again.succeeds()).isTrue();
        assertThat(again.restartsService()).isFalse();
        assertThat(links.runExtensions()).isEmpty();
    }

    @Test
    void commonNowIsLinkedThroughCommonWhateverTheImmucore() {
        for (ImmucoreRelease r : new ImmucoreRelease[] {V0_12, V0_13}) {
            KairosExtensionLinks links = installed(r);
            assertThat(links.enable(State.COMMON, X, true).restartsService()).isTrue();
            assertThat(links.runExtensions()).containsEntry(X, "/var/lib/kairos/extensions/common/x.raw");
            assertThat(links.resolving()).containsExactly(X);
        }
    }

    @Test
    void beforeImmucore013ACommonImageIsLinkedThroughTheBootedStateAndDangles() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.COMMON, X, false);
        links.reboot();
        assertThat(links.runExtensions()).containsEntry(X, "/var/lib/kairos/extensions/active/x.raw");
        assertThat(links.dangling()).containsExactly(X);
        assertThat(links.resolving()).isEmpty();
    }

    @Test
    void fromImmucore013ACommonImageIsLinkedThroughCommon() {
        KairosExtensionLinks links = installed(V0_13);
        links.enable(State.COMMON, X, false);
        links.reboot();
        assertThat(links.runExtensions()).containsEntry(X, "/var/lib/kairos/extensions/common/x.raw");
        assertThat(links.resolving()).containsExactly(X);
    }

    /**
     * Enabled for the state and for common: immucore links the state's entry, then meets the name again in common/; in the
     * initramfs its own link leads nowhere, so the symlink fails and it stops — y, in common/ only, is never linked.
     */
    @Test
    void aNameInTheStateAndInCommonStopsImmucoreBeforeTheRestOfCommon() {
        KairosExtensionLinks links = installed(V0_13);
        links.install("y.raw");
        links.enable(State.ACTIVE, X, false);
        links.enable(State.COMMON, X, false);
        links.enable(State.COMMON, "y.raw", false);
        KairosExtensionLinks.Relinked r = links.reboot();
        assertThat(r.links()).containsExactly("/run/extensions/x.raw → /var/lib/kairos/extensions/active/x.raw");
        assertThat(r.stoppedAt()).isEqualTo("/run/extensions/x.raw");
        assertThat(r.describe()).contains("stops at /run/extensions/x.raw");
        assertThat(links.runExtensions()).containsOnlyKeys(X);
    }

    /** remove without --now, install again, enable --now: the old /run entry makes the agent fail, yet it leads somewhere again. */
    @Test
    void enableNowOverALinkLeftByRemoveFailsButTheLinkResolvesAgain() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        links.remove(X, false);
        assertThat(links.dangling()).containsExactly(X);
        links.install(X);
        Outcome o = links.enable(State.ACTIVE, X, true);
        assertThat(o.succeeds()).isFalse();
        assertThat(o.why()).contains("file exists");
        assertThat(links.resolving()).containsExactly(X);
    }

    @Test
    void onlyRawFilesAreInstalledAsTheAgentListsThem() {
        KairosExtensionLinks links = new KairosExtensionLinks(V0_12, State.ACTIVE);
        assertThatThrownBy(() -> links.install("x.img")).hasMessageContaining("only NAME.raw files");
    }

    @Test
    void listingAStateCreatesItsDirectorySoThatDisableNoLongerFails() {
        KairosExtensionLinks links = installed(V0_12);
        assertThat(links.disable(State.RECOVERY, X, false).succeeds()).isFalse();
        links.list(State.RECOVERY);
        Outcome o = links.disable(State.RECOVERY, X, false);
        assertThat(o.succeeds()).isTrue();
        assertThat(o.why()).contains("not enabled in recovery");
    }

    @Test
    void disableNowRemovesTheRunLinkAndRestarts() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        Outcome o = links.disable(State.ACTIVE, X, true);
        assertThat(o.restartsService()).isTrue();
        assertThat(links.runExtensions()).isEmpty();
        assertThat(links.installed()).containsExactly(X);
    }

    @Test
    void disableWithoutNowLeavesTheRunLinkLeadingNowhere() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        Outcome o = links.disable(State.ACTIVE, X, false);
        assertThat(o.restartsService()).isFalse();
        assertThat(o.why()).contains("stays, leading nowhere");
        assertThat(links.runExtensions()).containsKey(X);
        assertThat(links.dangling()).containsExactly(X); // the state's link is gone, so /run's leads nowhere
        links.reboot();
        assertThat(links.runExtensions()).isEmpty();
    }

    @Test
    void disablingInAStateWhoseDirectoryNeverExistedFails() {
        KairosExtensionLinks links = installed(V0_12);
        assertThat(links.disable(State.RECOVERY, X, true).succeeds()).isFalse();
    }

    @Test
    void removeWithoutNowLeavesTheRunLinkDangling() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        Outcome o = links.remove(X, false);
        assertThat(o.succeeds()).isTrue();
        assertThat(o.restartsService()).isFalse();
        assertThat(o.why()).contains("left dangling");
        assertThat(links.dangling()).containsExactly(X);
        assertThat(links.installed()).isEmpty();
    }

    @Test
    void removeNowTakesEveryLinkAndTheImage() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        links.enable(State.COMMON, X, false);
        assertThat(links.remove(X, true).restartsService()).isTrue();
        assertThat(links.runExtensions()).isEmpty();
        assertThat(links.enabledIn(State.ACTIVE)).isEmpty();
        assertThat(links.enabledIn(State.COMMON)).isEmpty();
        assertThat(links.reboot().links()).isEmpty();
    }

    @Test
    void enableNowOverAnExistingRunEntryFails() {
        KairosExtensionLinks links = installed(V0_12);
        links.enable(State.ACTIVE, X, true);
        Outcome o = links.enable(State.COMMON, X, true);
        assertThat(o.succeeds()).isFalse();
        assertThat(o.why()).contains("file exists");
        assertThat(links.enabledIn(State.COMMON)).containsExactly(X); // the state link was made before the failure
    }

    @Test
    void commonIsNoBootState() {
        assertThatThrownBy(() -> new KairosExtensionLinks(V0_12, State.COMMON)).hasMessageContaining("not a boot state");
    }

    @Test
    void immucoreReleasesParseAndOrder() {
        assertThat(V0_12.linksCommonThroughStateDir()).isTrue();
        assertThat(ImmucoreRelease.parse("v0.12.9").linksCommonThroughStateDir()).isTrue();
        assertThat(V0_13.linksCommonThroughStateDir()).isFalse();
        assertThat(ImmucoreRelease.parse("v1.0.0").linksCommonThroughStateDir()).isFalse();
        assertThatThrownBy(() -> ImmucoreRelease.parse("0.12")).hasMessage("field 'immucore': expected a release like v0.12.0, got '0.12'");
    }
}
