package dev.sysextharness.sysext;

import dev.sysextharness.guest.Mount;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;

/**
 * {@code assertThat(sysext).hasMerged("hello").on("/usr/bin")}: failures say what was expected, on which flavor and
 * systemd, what status said, and where the transcript is.
 */
public final class SysextAssert extends AbstractAssert<SysextAssert, Sysext> {
    private String extension;
    /** The status read by the assertion that started this chain; on()/notOn() judge the same observation. */
    private SysextStatus observed;

    private SysextAssert(Sysext actual) {
        super(actual, SysextAssert.class);
    }

    public static SysextAssert assertThat(Sysext sysext) {
        return new SysextAssert(sysext);
    }

    private String context(SysextStatus status) {
        return "(flavor " + actual.flavor().name() + " in the " + actual.guest().lane().label() + " lane, systemd " + actual.flavor().systemdVersion() + ") but status was "
                + status.raw() + "; see " + actual.guest().transcript().file();
    }

    /** Merged on at least one hierarchy. */
    public SysextAssert hasMerged(String name) {
        extension = name;
        SysextStatus s = actual.status();
        observed = s;
        if (s.hierarchiesWith(name).isEmpty()) {
            failWithMessage("expected extension '%s' merged %s", name, context(s));
        }
        return this;
    }

    /** After {@link #hasMerged}: merged on exactly these hierarchies (among those that exist). */
    public SysextAssert on(String... hierarchies) {
        SysextStatus s = observed;
        List<String> on = s.hierarchiesWith(extension);
        for (String h : hierarchies) {
            if (!on.contains(h)) {
                failWithMessage("expected extension '%s' merged on %s %s", extension, h, context(s));
            }
        }
        Map<String, Mount> mounts = actual.mounts(hierarchies);
        for (String h : hierarchies) {
            Mount m = mounts.get(h);
            if (m == null || !m.fsType().equals("overlay")) {
                failWithMessage("expected an overlay mount on %s for extension '%s' but findmnt shows %s (flavor %s)",
                        h, extension, m, actual.flavor().name());
            }
        }
        return this;
    }

    /** After {@link #hasMerged}: not merged on this hierarchy, which is also not overmounted by sysext. */
    public SysextAssert notOn(String hierarchy) {
        SysextStatus s = observed;
        if (s.hierarchiesWith(extension).contains(hierarchy)) {
            failWithMessage("expected extension '%s' NOT merged on %s %s", extension, hierarchy, context(s));
        }
        return this;
    }

    public SysextAssert hasNotMerged(String name) {
        SysextStatus s = actual.status();
        if (!s.hierarchiesWith(name).isEmpty()) {
            failWithMessage("expected extension '%s' not merged anywhere %s", name, context(s));
        }
        return this;
    }

    public SysextAssert hasNothingMerged() {
        SysextStatus s = actual.status();
        if (s.anyMerged()) {
            failWithMessage("expected nothing merged %s", context(s));
        }
        return this;
    }
}
