package dev.sysextharness.scenario;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavors;
import dev.sysextharness.host.FreePorts;
import dev.sysextharness.host.Progress;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.install.FlavorImages;
import dev.sysextharness.vm.AcceleratorChoice;
import dev.sysextharness.vm.KvmProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The options every stage of a command must see — {@code --accel}, {@code --cache-dir}, {@code --flavor},
 * {@code --registry} — parsed and checked in one place, and handed on in the one form each stage reads: JUnit
 * configuration parameters for a scenario run (in this JVM), system properties for the selftest's test JVMs (Maven
 * passes {@code -D} on to them, and JUnit reads configuration parameters from system properties too). A bad value is a
 * usage error here, before anything runs.
 */
public record RunConfiguration(AcceleratorChoice.Request accel, Path cacheDir, List<String> flavors, String registry, int registryPort) {
    public static final String ACCEL = "sysext.accel";
    public static final String CACHE_DIR = "sysext.cacheDir";
    public static final String FLAVORS = "sysext.flavors";
    /** "process" (default: Debian's docker-registry as a child process) or "container" (registry:2 via Testcontainers). */
    public static final String REGISTRY = "sysext.registry";
    /** The registry's port on 127.0.0.1; 0 (default): a free one. */
    public static final String REGISTRY_PORT = "sysext.registryPort";
    static final List<String> REGISTRIES = List.of("process", "container");

    public RunConfiguration {
        flavors = List.copyOf(flavors);
        if (flavors.isEmpty()) {
            throw new ConfigException("--flavor: expected at least one flavor name");
        }
        if (!REGISTRIES.contains(registry)) {
            throw new ConfigException("--registry: expected process or container, got '" + registry + "'");
        }
        if (registryPort < 0 || registryPort > 65535) {
            throw new ConfigException("--registry-port: expected a port from 1 to 65535, got " + registryPort);
        }
        cacheDir = cacheDir == null ? null : cacheDir.toAbsolutePath().normalize();
    }

    /** From command-line values as given (null where the option was not given). */
    public static RunConfiguration of(String accel, Path cacheDir, List<String> flavors, String registry, Integer registryPort) {
        return new RunConfiguration(AcceleratorChoice.Request.parse("--accel", accel == null ? "auto" : accel), cacheDir,
                flavors == null ? List.of(Flavors.DEFAULT) : names(flavors), registry == null ? "process" : registry,
                registryPort == null ? 0 : registryPort);
    }

    /** From JUnit configuration parameters or system properties ({@code System::getProperty} in a test JVM). */
    public static RunConfiguration from(Function<String, Optional<String>> lookup) {
        return new RunConfiguration(AcceleratorChoice.Request.parse(ACCEL, lookup.apply(ACCEL).orElse("auto")),
                lookup.apply(CACHE_DIR).filter(s -> !s.isBlank()).map(Path::of).orElse(null),
                names(List.of(lookup.apply(FLAVORS).orElse(Flavors.DEFAULT))), lookup.apply(REGISTRY).orElse("process"),
                port(lookup.apply(REGISTRY_PORT).orElse("0")));
    }

    public static RunConfiguration fromSystemProperties() {
        return from(key -> Optional.ofNullable(System.getProperty(key)));
    }

    private static int port(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(REGISTRY_PORT + ": expected a port number, got '" + value + "'");
        }
    }

    /** "a,b" and ["a", "b"] alike, blanks dropped. */
    private static List<String> names(List<String> given) {
        return given.stream().flatMap(s -> Arrays.stream(s.split(","))).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public RunConfiguration withFlavors(List<String> names) {
        return new RunConfiguration(accel, cacheDir, names, registry, registryPort);
    }

    /** As JUnit configuration parameters of a scenario run. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(ACCEL, accel.label());
        if (cacheDir != null) {
            p.put(CACHE_DIR, cacheDir.toString());
        }
        p.put(FLAVORS, String.join(",", flavors));
        p.put(REGISTRY, registry);
        if (registryPort != 0) {
            p.put(REGISTRY_PORT, Integer.toString(registryPort));
        }
        return p;
    }

    /** As {@code -Dkey=value} arguments for Maven, which hands them to the test JVMs it forks. */
    public List<String> systemPropertyArguments() {
        List<String> args = new ArrayList<>();
        parameters().forEach((k, v) -> args.add("-D" + k + "=" + v));
        return args;
    }

    public Workspace workspace() {
        return Workspace.locate(cacheDir);
    }

    /**
     * The workspace of a command about to run: its cache must be a directory this user can write, and a fixed registry
     * port must be free — both usage errors, found before anything is built or started.
     */
    public Workspace checkedWorkspace() {
        Workspace ws = workspace();
        ws.requireWritableCache(cacheDir != null ? "--cache-dir" : "the cache directory");
        if (registryPort != 0) {
            String problem = FreePorts.problemWith(registryPort);
            if (problem != null) {
                throw new ConfigException("--registry-port " + registryPort + ": 127.0.0.1:" + registryPort + " is in use (" + problem + ")");
            }
        }
        return ws;
    }

    /**
     * The run's accelerator, decided on first use; the KVM probe (for {@code auto}) boots the kernel of the run's first
     * reference flavor, building its image if need be, and remembers its verdict in the cache.
     */
    public AcceleratorChoice accelerator(Workspace workspace, Progress progress) {
        return new AcceleratorChoice(accel, new KvmProbe(workspace.cache().root().resolve("accelerator")),
                () -> new FlavorImages(workspace).probeKernel(flavors.stream().map(workspace.flavors()::load).toList(), progress),
                progress);
    }
}
