package dev.sysextharness.flavor;

/** Where a flavor's node comes from: built here from Debian packages, or a Kairos release ISO. */
public enum Family {
    REFERENCE("built here from Debian packages: no kairos-agent, no immucore"),
    KAIROS("installed from a Kairos release ISO: kairos-agent and immucore in the image");

    private final String has;

    Family(String has) {
        this.has = has;
    }

    /** What a node of this family carries, for a skip reason. */
    public String has() {
        return has;
    }

    public String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
