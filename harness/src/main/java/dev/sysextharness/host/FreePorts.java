package dev.sysextharness.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports on 127.0.0.1. A port handed out is never handed out again in this JVM, so parallel VMs
 * do not race for the same one between the probe and QEMU's bind.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** Null when {@code port} on 127.0.0.1 can be bound now, else why not. */
    public static String problemWith(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    public static int next() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new HarnessException("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        throw new HarnessException("cannot find a free port on 127.0.0.1 after 50 attempts");
    }
}
