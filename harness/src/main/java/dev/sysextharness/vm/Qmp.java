package dev.sysextharness.vm;

import dev.sysextharness.host.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.host.HarnessException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** A QMP session on the VM's unix socket: one command at a time, events skipped. */
public final class Qmp implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private Qmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects (QEMU creates the socket as it starts, so retry until the deadline), then negotiates capabilities. */
    public static Qmp connect(Path socket, Duration deadline, Process qemu) {
        AtomicReference<IOException> last = new AtomicReference<>();
        try {
            return Awaitility.await("QMP on " + socket).atMost(deadline)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).pollInSameThread()
                    .failFast("QEMU exited", () -> !qemu.isAlive())
                    .until(() -> tryConnect(socket, last), Objects::nonNull);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new HarnessException("no QMP on " + socket + " within " + deadline.toSeconds() + " s"
                    + (qemu.isAlive() ? "" : " (QEMU exited " + qemu.exitValue() + ")")
                    + (last.get() == null ? "" : ": " + last.get().getMessage()));
        }
    }

    private static Qmp tryConnect(Path socket, AtomicReference<IOException> last) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            Qmp qmp = new Qmp(ch);
            qmp.in.readLine(); // greeting
            qmp.execute("qmp_capabilities", Map.of());
            return qmp;
        } catch (IOException e) {
            last.set(e);
            return null;
        }
    }

    /** Runs one command and returns its "return" value. */
    public synchronized JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", JSON.valueToTree(arguments));
        }
        out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            JsonNode reply = JSON.readTree(line);
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new IOException("QMP " + command + ": " + reply.get("error").path("desc").asText());
            }
            // an asynchronous event: skip
        }
        throw new IOException("QMP " + command + ": connection closed");
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket of a VM that is going away
        }
    }
}
