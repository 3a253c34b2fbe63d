package dev.sysextharness.scenario;

import dev.sysextharness.guest.Node;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node of the first cell that failed or erred in a run started with {@code --keep}: instead of closing it, the
 * VM lane hands it here, and whoever started the run (the CLI) keeps it for a person and stops it afterwards. Later
 * failing cells close their nodes as usual. The run and its session meet through a token passed as a configuration
 * parameter ({@link SessionParameters#KEEP}): the JUnit launcher carries only strings.
 */
public final class KeptNode {
    private static final Map<String, KeptNode> RUNS = new ConcurrentHashMap<>();

    private final String token;
    private Node node;
    private Path evidenceDir;
    private String cell;

    private KeptNode(String token) {
        this.token = token;
    }

    /** A fresh holder for one run, reachable by its token until {@link #release()}. */
    static KeptNode open() {
        KeptNode kept = new KeptNode(UUID.randomUUID().toString());
        RUNS.put(kept.token, kept);
        return kept;
    }

    /** The holder of the run that passed this token; null when the run did not ask to keep a node. */
    static KeptNode of(String token) {
        return token == null ? null : RUNS.get(token);
    }

    String token() {
        return token;
    }

    /** Takes ownership of {@code node} if no node is kept yet; false: the caller closes it as usual. */
    synchronized boolean claim(Node node, Path evidenceDir, String cell) {
        if (this.node != null) {
            return false;
        }
        this.node = node;
        this.evidenceDir = evidenceDir;
        this.cell = cell;
        return true;
    }

    /** Forgets the token; the node, if any, is the caller's to close. */
    void release() {
        RUNS.remove(token);
    }

    public synchronized Optional<Node> node() {
        return Optional.ofNullable(node);
    }

    public synchronized Path evidenceDir() {
        return evidenceDir;
    }

    /** The kept cell's key, {@code Class.method@flavor/lane}. */
    public synchronized String cell() {
        return cell;
    }
}
