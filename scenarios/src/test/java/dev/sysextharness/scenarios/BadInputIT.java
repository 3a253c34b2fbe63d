package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.host.OwnedProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's bad-input table, row by row, through the command line a user types (in this JVM, with the scenario
 * classes on the class path as under {@code harness/bin/sysext-harness}). Every row must give a non-zero exit code,
 * one line on stderr naming what was wrong and where, nothing under the report directory, no half-written cache
 * entry, and no process left behind.
 */
@Tag("host")
class BadInputIT {
    static final Path REPO = Path.of(System.getProperty("sysext.repoRoot", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    Path cache;
    Path reports;
    Set<Long> processesBefore;
    final List<String> mounted = new ArrayList<>();

    @BeforeEach
    void fresh() {
        cache = tmp.resolve("cache");
        reports = tmp.resolve("reports");
        processesBefore = descendants();
    }

    @AfterEach
    void unmount() {
        for (String m : mounted) {
            OwnedProcesses.run(List.of("umount", m), 30);
        }
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** {@code run} with this test's cache and report directories, then {@code args}. */
    private CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "--cache-dir", cache.toString(), "--report-dir", reports.toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    /** The row's contract: exit code, one "error: " line containing {@code says}, nothing written, nothing left running. */
    private void refused(CliRun o, int exit, String says) throws IOException {
        assertThat(o.exit()).as("exit code; stderr: %s", o.err()).isEqualTo(exit);
        assertThat(o.err().strip()).as("stderr").startsWith("error: ").contains(says).doesNotContain("\n")
                .doesNotContain("Exception").doesNotContain("\tat ");
        if (Files.exists(reports)) {
            try (Stream<Path> s = Files.list(reports)) {
                assertThat(s.toList()).as("report directory after a refused run").isEmpty();
            }
        }
        if (Files.exists(cache)) {
            try (Stream<Path> s = Files.walk(cache, 2)) {
                assertThat(s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList())
                        .as("half-written cache entries").isEmpty();
            }
            try (Stream<Path> s = Files.walk(cache, 2)) {
                assertThat(s.filter(p -> p.getNameCount() == cache.getNameCount() + 2 && Files.isDirectory(p)
                                && !Files.exists(p.resolve(".complete")) && !p.getFileName().toString().startsWith("."))
                        .toList()).as("cache entries without their completion mark").isEmpty();
            }
        }
        Set<Long> left = descendants();
        left.removeAll(processesBefore);
        assertThat(left.stream().map(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?")).toList())
                .as("processes left behind").isEmpty();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A checkout of our own whose vm-configs/ holds {@code name}.yaml with {@code yaml} beside the shipped flavors. */
    private CliRun runWithFlavorFile(String name, String yaml) throws IOException {
        Path root = tmp.resolve("checkout");
        Files.createDirectories(root.resolve("vm-configs"));
        try (Stream<Path> shipped = Files.list(REPO.resolve("vm-configs"))) {
            for (Path f : shipped.toList()) {
                Files.copy(f, root.resolve("vm-configs").resolve(f.getFileName()));
            }
        }
        Files.createSymbolicLink(root.resolve("images"), REPO.resolve("images"));
        Files.writeString(root.resolve("vm-configs").resolve(name + ".yaml"), yaml);
        String saved = System.getProperty("sysext.repoRoot");
        System.setProperty("sysext.repoRoot", root.toString());
        try {
            return run("--flavor", name);
        } finally {
            if (saved == null) {
                System.clearProperty("sysext.repoRoot");
            } else {
                System.setProperty("sysext.repoRoot", saved);
            }
        }
    }

    private Path definition(String name, String yaml, String... files) throws IOException {
        Path home = tmp.resolve("ext").resolve(name);
        Files.createDirectories(home.resolve("rootfs"));
        Files.writeString(home.resolve("extension.yaml"), yaml);
        for (String f : files) {
            Path p = home.resolve("rootfs").resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "content\n");
        }
        return home;
    }

    // --- the rows, in the README's order ---

    @Test
    void unknownFlavor() throws IOException {
        refused(run("--flavor", "debian-99"), ExitCodes.USAGE, "unknown flavor 'debian-99'");
    }

    @Test
    void malformedFlavorYaml() throws IOException {
        refused(runWithFlavorFile("broken", "name: broken\nfamily: [reference\n"), ExitCodes.USAGE, "vm-configs/broken.yaml");
    }

    @Test
    void flavorFieldOfTheWrongType() throws IOException {
        String yaml = Files.readString(REPO.resolve("vm-configs/debian-12.yaml")).replace("name: debian-12", "name: typo")
                .replaceFirst("memoryMiB: \\d+", "memoryMiB: lots");
        refused(runWithFlavorFile("typo", yaml), ExitCodes.USAGE, "vm-configs/typo.yaml: field 'machine.memoryMiB'");
    }

    @Test
    void unknownOptionValue() throws IOException {
        refused(run("--accel", "quantum"), ExitCodes.USAGE, "--accel: expected auto, kvm or tcg, got 'quantum'");
    }

    @Test
    void unknownLane() throws IOException {
        refused(run("--lane", "bogus"), ExitCodes.USAGE, "'bogus'");
    }

    @Test
    void unknownRegistryKind() throws IOException {
        refused(run("--registry", "cloud"), ExitCodes.USAGE, "--registry: expected process or container, got 'cloud'");
    }

    @Test
    void optionValueOfTheWrongType() throws IOException {
        refused(run("--jobs", "many"), ExitCodes.USAGE, "'many'");
    }

    @Test
    void scenarioGlobMatchingNothing() throws IOException {
        refused(run("--scenario", "NoSuchScenario"), ExitCodes.USAGE, "--scenario 'NoSuchScenario' matches no scenario");
    }

    @Test
    void eventsFileIsADirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("events"));
        refused(run("--events", dir.toString()), ExitCodes.USAGE, "--events " + dir + ": is a directory");
    }

    @Test
    void scenariosPathThatDoesNotExist() throws IOException {
        Path missing = tmp.resolve("no-such-classes");
        refused(run("--scenarios", missing.toString()), ExitCodes.USAGE, "--scenarios " + missing + ": no such directory or jar");
    }

    @Test
    void scenariosJarThatIsNotAJar() throws IOException {
        Path jar = Files.writeString(tmp.resolve("scenarios.jar"), "not a jar");
        refused(run("--scenarios", jar.toString()), ExitCodes.USAGE, "--scenarios " + jar + ": not a readable jar");
    }

    @Test
    void scenariosPathWithoutScenarios() throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Files.writeString(classes.resolve("README"), "no classes here\n");
        refused(run("--scenarios", classes.toString()), ExitCodes.USAGE, "--scenarios " + classes + ": no @Scenario method there");
    }

    @Test
    void zeroJobs() throws IOException {
        refused(run("--jobs", "0"), ExitCodes.USAGE, "--jobs: expected at least 1, got 0");
    }

    @Test
    void aSelectionThatJudgesNothing() throws IOException {
        refused(run("--scenario", "*mutableWritesLandInTheRoutingDir*", "--flavor", "debian-12"), ExitCodes.USAGE,
                "no cell would be judged");
    }

    @Test
    void rerunFailedOfADirectoryWithoutSummary() throws IOException {
        Path notARun = Files.createDirectories(tmp.resolve("not-a-run"));
        refused(run("--rerun-failed", notARun.toString()), ExitCodes.USAGE,
                "--rerun-failed " + notARun + ": no summary.json (not a run's report directory");
    }

    @Test
    void bootFromADirectoryWithoutAKeptDisk() throws IOException {
        Path passedCell = Files.createDirectories(tmp.resolve("evidence/debian-12/SomeScenarios.passed"));
        refused(CliRun.of("boot", "--cache-dir", cache.toString(), "--from", passedCell.toString()), ExitCodes.USAGE,
                passedCell + ": no kept-disk.json here");
    }

    @Test
    void malformedShard() throws IOException {
        refused(run("--shard", "3/3"), ExitCodes.USAGE, "--shard 3/3: expected I/N with N >= 1 and 0 <= I < N (0-based), e.g. 0/3");
    }

    @Test
    void runIdThatIsNotOnePathSegment() throws IOException {
        refused(run("--run-id", "../elsewhere"), ExitCodes.USAGE,
                "--run-id '../elsewhere': expected letters, digits, '.', '_' or '-' (no '..', no '/')");
    }

    @Test
    void runIdOfAnExistingReport() throws IOException {
        Path earlier = Files.createDirectories(reports.resolve("nightly-1"));
        Files.writeString(earlier.resolve("summary.json"), "{}");
        CliRun o = run("--run-id", "nightly-1");
        assertThat(o.exit()).as("exit code; stderr: %s", o.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err().strip()).startsWith("error: ").contains("--run-id 'nightly-1': " + earlier + " exists already")
                .doesNotContain("\n");
        assertThat(Files.readString(earlier.resolve("summary.json"))).as("the earlier report, untouched").isEqualTo("{}");
        try (Stream<Path> s = Files.list(reports)) {
            assertThat(s.toList()).as("nothing beside the earlier report").containsExactly(earlier);
        }
    }

    @Test
    void mergeOfADirectoryThatIsNotARun() throws IOException {
        Path notARun = Files.createDirectories(tmp.resolve("not-a-run"));
        refused(CliRun.of("report", "merge", notARun.toString(), "--out", reports.resolve("merged").toString()), ExitCodes.USAGE,
                notARun + ": no summary.json");
    }

    @Test
    void soakResumeOfADirectoryThatIsNotASoak() throws IOException {
        Path notASoak = Files.createDirectories(tmp.resolve("not-a-soak"));
        refused(CliRun.of("soak", "--cache-dir", cache.toString(), "--resume", notASoak.toString()), ExitCodes.USAGE,
                "soak --resume " + notASoak + ": no soak.json there (not a soak's directory");
        try (Stream<Path> s = Files.list(notASoak)) {
            assertThat(s.toList()).as("nothing written into the directory named").isEmpty();
        }
    }

    @Test
    void missingExtensionDirectory() throws IOException {
        refused(run("--extension", tmp.resolve("no-such-ext").toString()), ExitCodes.USAGE, "no-such-ext: no such directory");
    }

    @Test
    void extensionTreeOutsideUsrAndOpt() throws IOException {
        Path ext = definition("etcy", "name: etcy\nrelease:\n  ID: _any\n", "usr/bin/tool", "etc/tool.conf");
        refused(run("--extension", ext.toString()), ExitCodes.USAGE, "rootfs/etc is outside usr/ and opt/");
    }

    @Test
    void extensionWithoutExtensionRelease() throws IOException {
        Path ext = definition("bare", "name: bare\n", "usr/bin/tool");
        refused(run("--extension", ext.toString()), ExitCodes.USAGE, "bare/extension.yaml: no extension-release");
    }

    @Test
    void extensionShippingATruncatedElfFile() throws IOException {
        Path ext = definition("cutelf", "name: cutelf\nrelease:\n  ID: _any\n");
        Path program = ext.resolve("rootfs/usr/bin/cut");
        Files.createDirectories(program.getParent());
        byte[] whole = dev.sysextharness.sysext.ElfFixture.program("hello", List.of("libcut.so.1"), null);
        Files.write(program, java.util.Arrays.copyOf(whole, 100)); // the ELF header and half a program header
        refused(run("--extension", ext.toString()), ExitCodes.USAGE, program + ": a truncated or malformed ELF file");
    }

    @Test
    void rawFileThatIsNotSquashfs() throws IOException {
        Path raw = Files.writeString(tmp.resolve("tools.raw"), "not an image");
        refused(run("--extension", raw.toString()), ExitCodes.USAGE, raw + ": not an extension image: neither a squashfs, an erofs, nor a DDI");
    }

    @Test
    void rawFileThatIsTruncated() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree/usr/lib/extension-release.d"));
        Files.writeString(tree.resolve("extension-release.tools"), "ID=_any\n");
        Path full = tmp.resolve("full.raw");
        OwnedProcesses.run(List.of("mksquashfs", tmp.resolve("tree").toString(), full.toString(), "-quiet", "-noappend"), 60);
        byte[] bytes = Files.readAllBytes(full);
        Path raw = Files.write(tmp.resolve("tools.raw"), java.util.Arrays.copyOf(bytes, 200));
        refused(run("--extension", raw.toString()), ExitCodes.USAGE, raw + ": unsquashfs cannot read it");
    }

    @Test
    void aRawFileInTheContainerLaneJudgesNothing() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree/usr/lib/extension-release.d"));
        Files.writeString(tree.resolve("extension-release.tools"), "ID=_any\n");
        Path raw = tmp.resolve("tools.raw");
        OwnedProcesses.run(List.of("mksquashfs", tmp.resolve("tree").toString(), raw.toString(), "-quiet", "-noappend"), 60);
        refused(run("--lane", "container", "--extension", raw.toString()), ExitCodes.USAGE,
                "no cell would be judged: all 1 selected cells would be skipped (first: "
                        + "CertificationScenarios.yourExtensionInTheFlavorsUserspace on debian-12/container: your extension is a .raw"
                        + " image file; this scenario ships an OCI image or a definition directory)");
    }

    @Test
    void isoThatIsNotAnIsoImage() throws IOException {
        Path iso = Files.writeString(tmp.resolve("kairos.iso"), "some text");
        refused(CliRun.of("boot", "--flavor", "kairos-fedora-40", "--iso", iso.toString(), "--cache-dir", cache.toString()),
                ExitCodes.USAGE, "--iso " + iso + ": not an ISO 9660 image");
    }

    @Test
    void isoChecksumMismatch() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("iso-tree"));
        Files.writeString(dir.resolve("README"), "not Kairos\n");
        Path iso = tmp.resolve("kairos.iso");
        OwnedProcesses.run(List.of("xorriso", "-as", "mkisofs", "-quiet", "-o", iso.toString(), dir.toString()), 60);
        refused(run("--flavor", "kairos-fedora-40", "--iso", iso.toString(), "--sha256", "0".repeat(64)), ExitCodes.USAGE,
                "but " + "0".repeat(64) + " was expected");
    }

    @Test
    void unreachableRegistry() throws IOException {
        String ref = "127.0.0.1:" + closedPort() + "/mine:1";
        refused(run("--extension", ref), ExitCodes.INFRASTRUCTURE, "cannot pull " + ref);
    }

    @Test
    void imageMissingFromTheRegistry() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.start();
        try {
            String ref = "127.0.0.1:" + server.getAddress().getPort() + "/mine:1";
            refused(run("--extension", ref), ExitCodes.INFRASTRUCTURE, "not found in the registry");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void registryPortInUse() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refused(run("--registry-port", Integer.toString(busy.getLocalPort())), ExitCodes.USAGE,
                    "--registry-port " + busy.getLocalPort() + ": 127.0.0.1:" + busy.getLocalPort() + " is in use");
        }
    }

    @Test
    void cacheDirectoryNotWritable() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        cache = file.resolve("cache");
        refused(run(), ExitCodes.USAGE, "--cache-dir " + cache + " is not writable");
    }

    @Test
    void dockerEngineUnavailableForTheContainerLane() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dsysext.repoRoot=" + REPO, "dev.sysextharness.cli.Main", "run", "--lane", "container",
                "--cache-dir", cache.toString(), "--report-dir", reports.toString());
        pb.environment().put("DOCKER_HOST", "unix://" + tmp.resolve("no-engine.sock"));
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the command ends").isTrue();
        refused(new CliRun(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt"))),
                ExitCodes.INFRASTRUCTURE, "container lane unavailable: no Docker engine: DOCKER_HOST=unix://");
    }

    @Test
    void diskFullWhileBuildingAnImage() throws IOException {
        assumeThat(System.getProperty("user.name")).as("mounting a small tmpfs needs root").isEqualTo("root");
        cache = Files.createDirectories(tmp.resolve("small-cache"));
        OwnedProcesses.run(List.of("mount", "-t", "tmpfs", "-o", "size=48m", "sysext-harness-test", cache.toString()), 30);
        mounted.add(cache.toString());
        Instant start = Instant.now();

        CliRun o = CliRun.of("build", "--flavor", "debian-12", "--cache-dir", cache.toString());

        refused(o, ExitCodes.INFRASTRUCTURE, "debian-12: reference image build failed");
        assertThat(o.err()).contains("No space left on device");
        try (Stream<Path> logs = Files.list(cache.resolve("reference"))) {
            assertThat(logs.filter(p -> p.toString().endsWith(".failed.log")).toList()).as("the failed build's log is kept")
                    .singleElement().satisfies(log -> assertThat(o.err()).contains(log.toString()));
        }
        System.err.printf("disk-full build refused after %d s%n", java.time.Duration.between(start, Instant.now()).toSeconds());
    }
}
