package dev.sysextharness.vm;

import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The virtio-serial ports a reference node's shells sit on (one unit per shell in the image opens its pair at boot),
 * and their host ends: unix sockets QEMU serves, which the harness connects to as QEMU starts. QEMU waits for each
 * connection before it goes on ({@code wait=on}), so a restored guest runs only once the harness is attached and
 * never sees the host side closed — a virtio console reader gets end-of-file whenever it is, and its shell would
 * end. The channel lives in a short directory of its own: a unix socket path has at most 108 bytes.
 */
public final class GuestChannel implements AutoCloseable {
    /** The guest's name of a port: /dev/virtio-ports/NAME. */
    public static final String PREFIX = "org.sysext-harness.";
    /**
     * Commands and their stdout, then stderr, for root and for the login user, then files sent to the guest (read by
     * a root command that opens the port for one file), in the order QEMU creates them.
     */
    public static final List<String> PORTS = List.of("root", "root-err", "user", "user-err", "file");

    private final Path dir;
    private final Map<String, SocketChannel> connected = new LinkedHashMap<>();

    private GuestChannel(Path dir) {
        this.dir = dir;
    }

    /** A channel for one VM, its sockets in a fresh directory under the system's temporary directory. */
    public static GuestChannel create() {
        try {
            return new GuestChannel(Files.createTempDirectory("sxh-ch-"));
        } catch (IOException e) {
            throw new HarnessException("cannot create a directory for the guest channel's sockets: " + e.getMessage(), e);
        }
    }

    Path socket(String port) {
        return dir.resolve(port + ".sock");
    }

    /** QEMU's arguments: one virtio-serial controller, and a port per {@link #PORTS} on a socket QEMU waits on. */
    List<String> qemuArguments() {
        List<String> args = new ArrayList<>(List.of("-device", "virtio-serial-pci,id=sxhser"));
        for (String port : PORTS) {
            String id = "sxh-" + port;
            args.addAll(List.of("-chardev", "socket,id=" + id + ",path=" + socket(port) + ",server=on,wait=on",
                    "-device", "virtserialport,bus=sxhser.0,chardev=" + id + ",name=" + PREFIX + port));
        }
        return args;
    }

    /** What the channel adds to the machine (part of a saved state's identity). */
    static String machineArgument() {
        return "channel=virtio-serial:" + String.join("+", PORTS);
    }

    /**
     * Connects to every port in QEMU's order (QEMU creates the next socket only once the one before has a client);
     * replaces the connections of a QEMU process that has ended (the machine powered on again after a reboot).
     */
    synchronized void connect(Process qemu, Duration deadline) {
        closeConnections();
        for (String port : PORTS) {
            Path socket = socket(port);
            AtomicReference<IOException> last = new AtomicReference<>();
            try {
                connected.put(port, Awaitility.await("guest channel " + socket).atMost(deadline)
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).pollInSameThread()
                        .failFast("QEMU exited", () -> !qemu.isAlive())
                        .until(() -> tryConnect(socket, last), Objects::nonNull));
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                closeConnections();
                throw new HarnessException("QEMU never served the guest channel's port " + port + " on " + socket + " within "
                        + deadline.toSeconds() + " s" + (qemu.isAlive() ? "" : " (QEMU exited " + qemu.exitValue() + ")")
                        + (last.get() == null ? "" : ": " + last.get().getMessage()));
            }
        }
    }

    private static SocketChannel tryConnect(Path socket, AtomicReference<IOException> last) {
        if (!Files.exists(socket)) {
            return null;
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            last.set(e);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // never connected
                }
            }
            return null;
        }
    }

    /** The host end of {@code port}, connected to the running QEMU; null before {@link #connect}. */
    public synchronized SocketChannel port(String port) {
        return connected.get(port);
    }

    private void closeConnections() {
        for (SocketChannel ch : connected.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the VM is ending or ended; nothing to tell it
            }
        }
        connected.clear();
    }

    @Override
    public synchronized void close() {
        closeConnections();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // QEMU removes its sockets as it ends; a leftover empty directory under /tmp is harmless
        }
    }
}
