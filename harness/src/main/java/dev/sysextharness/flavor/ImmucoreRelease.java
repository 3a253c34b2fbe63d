package dev.sysextharness.flavor;

/**
 * An immucore release (Kairos's initramfs mounter), as far as system extensions care: at boot it links the {@code *.raw}
 * files of the booted state's directory under /var/lib/kairos/extensions and of {@code common/} into /run/extensions.
 *
 * @param text the release as written in the flavor file ({@code v0.12.0})
 */
public record ImmucoreRelease(String text, int major, int minor, int patch) {
    /** The release whose enable-sysextensions step links a common/ entry through common/ itself (commit ccfdc36). */
    static final ImmucoreRelease COMMON_LINK_FIXED = new ImmucoreRelease("v0.13.0", 0, 13, 0);

    /** Parses {@code vMAJOR.MINOR.PATCH}; anything else is a flavor-file error naming the field. */
    public static ImmucoreRelease parse(String text) {
        var m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)").matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("field 'immucore': expected a release like v0.12.0, got '" + text + "'");
        }
        return new ImmucoreRelease(text, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /**
     * Whether a common/ entry is linked as /run/extensions/NAME → /var/lib/kairos/extensions/&lt;booted state&gt;/NAME,
     * which dangles unless NAME is also enabled for that state. Read from immucore's code (v0.12.0's
     * EnableSysExtensions joins every entry, common ones included, to the booted state's directory; fixed in ccfdc36,
     * first released in v0.13.0); not yet reproduced on a Kairos node.
     */
    public boolean linksCommonThroughStateDir() {
        return compareTo(COMMON_LINK_FIXED) < 0;
    }

    private int compareTo(ImmucoreRelease o) {
        return major != o.major ? Integer.compare(major, o.major) : minor != o.minor ? Integer.compare(minor, o.minor)
                : Integer.compare(patch, o.patch);
    }
}
