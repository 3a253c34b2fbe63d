package dev.sysextharness.guest;

import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link Mount} that read like the layout they check. */
public final class MountAssert extends AbstractAssert<MountAssert, Mount> {
    private final String where;

    private MountAssert(Mount actual, String where) {
        super(actual, MountAssert.class);
        this.where = where;
    }

    public static MountAssert assertThatMount(Guest node, String path) {
        return new MountAssert(node.mount(path), path + " on " + node.flavor().name()
                + " (see " + node.transcript().file() + ")");
    }

    private void present() {
        if (actual == null) {
            failWithMessage("expected %s to be a mount point but nothing is mounted there", where);
        }
    }

    public MountAssert isReadOnly() {
        present();
        if (!actual.readOnly()) {
            failWithMessage("expected %s mounted read-only but options were %s", where, actual.options());
        }
        return this;
    }

    public MountAssert isReadWrite() {
        present();
        if (actual.readOnly()) {
            failWithMessage("expected %s mounted read-write but options were %s", where, actual.options());
        }
        return this;
    }

    public MountAssert hasLabel(String label) {
        present();
        if (!label.equals(actual.label()) && !actual.source().startsWith("/dev/disk/by-label/" + label)) {
            failWithMessage("expected %s from the file system labelled %s but it is %s (label %s)",
                    where, label, actual.source(), actual.label());
        }
        return this;
    }

    /** A bind mount of {@code dir} of the labelled file system. */
    public MountAssert isBindOf(String label, String dir) {
        hasLabel(label);
        if (!dir.equals(actual.fsRoot())) {
            failWithMessage("expected %s to be bound from %s:%s but its root in that file system is %s",
                    where, label, dir, actual.fsRoot());
        }
        return this;
    }

    public MountAssert hasType(String fsType) {
        present();
        if (!fsType.equals(actual.fsType())) {
            failWithMessage("expected %s of type %s but it is %s", where, fsType, actual.fsType());
        }
        return this;
    }

    /** An overlay whose upper layer lives under {@code prefix} (tmpfs, so the writes are ephemeral). */
    public MountAssert isOverlayWithUpperUnder(String prefix) {
        hasType("overlay");
        String upper = actual.option("upperdir");
        if (upper == null || !upper.startsWith(prefix)) {
            failWithMessage("expected %s to be an overlay with its upper dir under %s but upperdir=%s", where, prefix, upper);
        }
        return this;
    }
}
