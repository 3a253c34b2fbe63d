package dev.sysextharness.vm;

/**
 * The one guestfwd rule a VM may have: connections from the guest to {@code guestAddress:guestPort} are carried,
 * one socat per connection, to {@code 127.0.0.1:hostPort}. (The {@code tcp:} target form opens a single host
 * connection when QEMU starts and breaks HTTP; the per-connection {@code cmd:} form works.)
 */
public record GuestForward(String guestAddress, int guestPort, int hostPort) {
    public static final String REGISTRY_ADDRESS = "10.0.2.100";
    public static final int REGISTRY_PORT = 5000;

    public GuestForward {
        if (!guestAddress.startsWith("10.0.2.")) {
            throw new IllegalArgumentException("guestfwd address must be inside QEMU's user network 10.0.2.0/24: " + guestAddress);
        }
    }

    public static GuestForward registry(int hostPort) {
        return new GuestForward(REGISTRY_ADDRESS, REGISTRY_PORT, hostPort);
    }

    /** The address the guest uses, e.g. 10.0.2.100:5000. */
    public String guestEndpoint() {
        return guestAddress + ":" + guestPort;
    }

    String netdevOption() {
        return "guestfwd=tcp:" + guestAddress + ":" + guestPort + "-cmd:socat STDIO TCP:127.0.0.1:" + hostPort;
    }
}
