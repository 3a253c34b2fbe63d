package dev.sysextharness.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysextharness.host.ImageCache;
import dev.sysextharness.host.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a state's state.json tells a restore: the system state it was saved in, or nothing for a state saved before that was recorded. */
class SavedStatesRecordTest {
    @TempDir
    Path dir;

    private SavedState stateWith(String key, String json) {
        StringBuilder why = new StringBuilder();
        SavedState state = find(key, json, true, why);
        assertThat(state).as("found: %s", why).isNotNull();
        return state;
    }

    private SavedState find(String key, String json, boolean withRam, StringBuilder why) {
        ImageCache cache = new ImageCache(dir.resolve("cache"));
        cache.getOrBuild(SavedStates.KIND, key, (into, progress) -> {
            if (withRam) {
                Files.writeString(into.resolve(SavedState.RAM), "the guest's RAM");
            }
            Path frozen = into.resolve(SavedState.FROZEN);
            Files.writeString(frozen, "a frozen overlay");
            Files.writeString(into.resolve("state.json"), json.replace("SHA", SavedStates.sha256(frozen)));
        }, Progress.silent());
        return new SavedStates(cache).find(key, why);
    }

    @Test
    void aStateWithoutItsRamFileIsNotUsedAndSaysWhy() {
        StringBuilder why = new StringBuilder();
        assertThat(find("k3", "{\"frozenSha256\":\"SHA\",\"bootId\":\"b\"}", false, why)).isNull();
        assertThat(why.toString()).startsWith("saved state ").endsWith(" has no RAM file ram.bin");
    }

    @Test
    void aStateSavedDegradedKeepsItsStateAndFailedUnits() throws IOException {
        SavedState s = stateWith("k1", "{\"frozenSha256\":\"SHA\",\"bootId\":\"b\",\"systemd\":\"systemd 252 (252.39)\","
                + "\"systemState\":\"degraded\",\"failedUnits\":[\"a.service\",\"b.mount\"]}");
        assertThat(s.systemState()).isEqualTo("degraded");
        assertThat(s.failedUnits()).containsExactly("a.service", "b.mount");
        assertThat(s.clockStepper()).as("no stepper recorded: the restore steps the clock with date").isNull();
    }

    @Test
    void aStateWithAClockStepperNamesItsPid() {
        SavedState s = stateWith("k4", "{\"frozenSha256\":\"SHA\",\"bootId\":\"b\",\"systemState\":\"running\",\"failedUnits\":[],"
                + "\"clockStepper\":348}");
        assertThat(s.clockStepper()).isEqualTo(348);
    }

    @Test
    void aStateSavedBeforeTheSystemStateWasRecordedHasNoneSoTheRestoreAsks() throws IOException {
        SavedState s = stateWith("k2", "{\"frozenSha256\":\"SHA\",\"bootId\":\"b\",\"systemd\":\"systemd 252 (252.39)\"}");
        assertThat(s.systemState()).as("no recorded answer: readiness runs systemctl").isNull();
        assertThat(s.failedUnits()).isNull();
        assertThat(s.bootId()).isEqualTo("b");
    }
}
