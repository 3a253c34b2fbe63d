package dev.sysextharness.extension;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.extension.LayerFlattenerTest.Tar;
import dev.sysextharness.host.HostTools;
import dev.sysextharness.host.Json;
import dev.sysextharness.image.Downloader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference flavors' runtime unpacker, {@code images/reference/files/oci-unpack}, run on this host against the real
 * registry process with the same busybox, GNU tar and awk program the node has: layers applied in order with their
 * whiteouts, an index's image for this machine, plain and zstd layers, and a clear error for what it must refuse.
 * The VM lane runs the same script inside the node (LayeredImageIT, the certification and extension scenarios).
 */
@Tag("host")
class OciUnpackScriptTest {
    private static final Path FILES = OciImageAndRegistryTest.REPO.resolve("images/reference/files");
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String DIR = "usr/share/layered/";

    @TempDir
    Path tmp;

    DistributionRegistry registry;
    int pushes;

    record Layer(String mediaType, byte[] bytes) {
    }

    record Unpack(int exit, String stderr) {
    }

    record Pushed(String digest, int size) {
    }

    @BeforeEach
    void startRegistry() {
        HostTools.require(List.of("busybox")); // the node's unpacker runs busybox wget and awk; selftest installs it
        registry = DistributionRegistry.start(tmp.resolve("registry"));
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    void appliesTheLayersInOrderWithTheirWhiteoutsAndWritesNoWhiteout() throws Exception {
        Layer lower = gzip(new Tar().dir("usr").dir("usr/bin").file("usr/bin/tool", "#!/bin/sh\n", 0755)
                .dir("usr/share").dir(DIR).file(DIR + "kept", "lower\n").file(DIR + "replaced", "lower\n")
                .file(DIR + "gone", "lower\n").dir(DIR + "emptied").file(DIR + "emptied/inner", "lower\n")
                .file(DIR + "emptied/.hidden", "lower\n"));
        Layer upper = gzip(new Tar().file(DIR + "replaced", "upper\n").file(DIR + ".wh.gone", "")
                .dir(DIR + "emptied").file(DIR + "emptied/.wh..wh..opq", "").file(DIR + "emptied/fresh", "upper\n"));
        push("authors/layered", "1", List.of(lower, upper));
        Path tree = Files.createDirectory(tmp.resolve("tree")); // an empty target is taken, as a missing one is

        Unpack run = unpack("authors/layered:1", tree);

        assertThat(run.exit()).as("oci-unpack's exit; stderr: %s", run.stderr()).isZero();
        assertThat(tree.resolve(DIR + "replaced")).as("a file the upper layer replaced").hasContent("upper");
        assertThat(tree.resolve(DIR + "kept")).as("a file only the lower layer has").hasContent("lower");
        assertThat(tree.resolve(DIR + "emptied/fresh")).as("the upper layer's own file in its opaque directory").hasContent("upper");
        assertThat(tree.resolve(DIR + "gone")).as("a file the upper layer whited out").doesNotExist();
        assertThat(tree.resolve(DIR + "emptied/inner")).as("a lower file in a directory the upper layer made opaque").doesNotExist();
        assertThat(tree.resolve(DIR + "emptied/.hidden")).as("a lower dot file in that opaque directory").doesNotExist();
        assertThat(Files.getPosixFilePermissions(tree.resolve("usr/bin/tool"))).as("the layer's mode of usr/bin/tool")
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> all = Files.walk(tree)) {
            assertThat(all.map(p -> p.getFileName().toString())).as("file names in the unpacked tree").noneMatch(n -> n.startsWith(".wh."));
        }
    }

    @Test
    void takesThisMachinesImageFromAnIndexAndFollowsADigest() throws Exception {
        Pushed other = push("authors/multi", null, List.of(gzip(new Tar().dir("usr").file("usr/arch", "arm64\n"))));
        Pushed ours = push("authors/multi", null, List.of(gzip(new Tar().dir("usr").file("usr/arch", "amd64\n"))));
        ObjectNode index = Json.mapper().createObjectNode().put("schemaVersion", 2).put("mediaType", INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Pushed image : List.of(other, ours)) {
            ObjectNode m = manifests.addObject().put("mediaType", MANIFEST).put("digest", image.digest()).put("size", image.size());
            m.putObject("platform").put("architecture", image == ours ? "amd64" : "arm64").put("os", "linux");
        }
        Path dir = Files.createDirectories(tmp.resolve("index"));
        Files.write(dir.resolve("manifest.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
        new RegistryClient(registry.baseUrl()).pushImage("authors/multi", "1", dir, INDEX, List.of());

        Unpack fromIndex = unpack("authors/multi:1", tmp.resolve("from-index"));
        Unpack byDigest = unpack("authors/multi@" + other.digest(), tmp.resolve("by-digest"));

        assertThat(fromIndex.exit()).as("oci-unpack's exit on the index; stderr: %s", fromIndex.stderr()).isZero();
        assertThat(tmp.resolve("from-index/usr/arch")).as("the index's linux/%s image (this host is %s)",
                "amd64", System.getProperty("os.arch")).hasContent("amd64");
        assertThat(byDigest.exit()).as("oci-unpack's exit by digest; stderr: %s", byDigest.stderr()).isZero();
        assertThat(tmp.resolve("by-digest/usr/arch")).as("the image named by its digest").hasContent("arm64");
    }

    @Test
    void readsUncompressedAndZstdLayers() throws Exception {
        byte[] plain = new Tar().dir("usr").file("usr/plain", "tar\n").bytes();
        Path zstdInput = Files.write(tmp.resolve("layer.tar"), new Tar().dir("usr").file("usr/squeezed", "zstd\n").bytes());
        Process zstd = new ProcessBuilder("zstd", "-q", "-f", zstdInput.toString(), "-o", tmp.resolve("layer.tar.zst").toString())
                .redirectErrorStream(true).start();
        assertThat(zstd.waitFor(30, TimeUnit.SECONDS) && zstd.exitValue() == 0).as("zstd compressed the layer").isTrue();
        push("authors/formats", "1", List.of(new Layer("application/vnd.oci.image.layer.v1.tar", plain),
                new Layer("application/vnd.oci.image.layer.v1.tar+zstd", Files.readAllBytes(tmp.resolve("layer.tar.zst")))));

        Unpack run = unpack("authors/formats:1", tmp.resolve("tree"));

        assertThat(run.exit()).as("oci-unpack's exit; stderr: %s", run.stderr()).isZero();
        assertThat(tmp.resolve("tree/usr/plain")).hasContent("tar");
        assertThat(tmp.resolve("tree/usr/squeezed")).hasContent("zstd");
    }

    @Test
    void refusesAWhiteoutThatReachesOutsideTheTreeThroughASymlink() throws Exception {
        Path victim = Files.writeString(Files.createDirectories(tmp.resolve("victim")).resolve("precious"), "keep me\n");
        push("authors/evil", "1", List.of(gzip(new Tar().dir("usr").symlink("usr/out", victim.getParent().toString())),
                gzip(new Tar().file("usr/out/.wh.precious", ""))));

        Unpack run = unpack("authors/evil:1", tmp.resolve("tree"));

        assertThat(run.exit()).as("oci-unpack's exit; stderr: %s", run.stderr()).isNotZero();
        assertThat(run.stderr()).as("why it stopped").contains("has a whiteout outside the tree: usr/out/.wh.precious");
        assertThat(victim).as("the file the symlink led to").hasContent("keep me");
        assertThat(tmp.resolve("tree")).as("the target after a refused unpack: nothing half-written").doesNotExist();
        assertThat(tmp.toFile().list()).as("what the refused unpack left beside its target").noneMatch(n -> n.startsWith(".#"));
    }

    @Test
    void saysWhatWasWrongAndKeepsWhatWasThere() throws Exception {
        push("authors/odd", "1", List.of(new Layer("application/vnd.example.layer", new Tar().dir("usr").bytes())));
        Path used = Files.writeString(Files.createDirectories(tmp.resolve("used")).resolve("mine"), "mine\n");

        Unpack missing = unpack("authors/none:1", tmp.resolve("a"));
        Unpack odd = unpack("authors/odd:1", tmp.resolve("b"));
        Unpack notEmpty = unpack("authors/odd:1", used.getParent());
        Unpack noRegistry = unpack(null, tmp.resolve("c"));

        assertThat(missing.exit()).isNotZero();
        assertThat(missing.stderr()).contains("oci-unpack: GET http://" + registry.hostAddress() + "/v2/authors/none/manifests/1 failed");
        assertThat(odd.exit()).isNotZero();
        assertThat(odd.stderr()).contains("has media type 'application/vnd.example.layer', which this unpacker does not apply");
        assertThat(tmp.resolve("b")).as("the target of the refused image").doesNotExist();
        assertThat(notEmpty.exit()).isNotZero();
        assertThat(notEmpty.stderr()).contains(used.getParent() + " exists and is not empty");
        assertThat(used).as("the file already in the target").hasContent("mine");
        assertThat(noRegistry.exit()).isNotZero();
        assertThat(noRegistry.stderr()).contains("'hello:1' names no registry");
    }

    @Test
    void theManifestReaderRefusesWhatIsNotAnIndexOrAnImageManifest() throws Exception {
        assertThat(plan("{\"layers\": [")).as("a cut-off manifest").isNull();
        assertThat(plan("[1, 2]")).as("an array").isNull();
        assertThat(plan("{\"config\": {}}")).as("an object with neither layers nor manifests").isNull();
        assertThat(plan("{\"layers\": [],\n \"annotations\": {\"layers\": \"x\"}}")).as("no layers").isEmpty();
        assertThat(plan("{\"layers\":[{\"annotations\":{\"digest\":\"sha256:0\"},\"mediaType\":\"a\\/b\",\"digest\":\"sha256:1\"}]}"))
                .as("a layer with nested annotations and an escaped slash").isEqualTo("layer a/b sha256:1\n");
    }

    /** What oci-plan.awk prints for {@code json} with the busybox awk the node runs, or null when it refuses it. */
    private String plan(String json) throws Exception {
        Path file = Files.writeString(tmp.resolve("manifest-" + json.hashCode()), json);
        Process awk = new ProcessBuilder("busybox", "awk", "-f", FILES.resolve("oci-plan.awk").toString(), file.toString()).start();
        String out = new String(awk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(awk.waitFor(30, TimeUnit.SECONDS)).as("awk finished").isTrue();
        return awk.exitValue() == 0 ? out : null;
    }

    private Unpack unpack(String repositoryAndTag, Path into) throws Exception {
        String ref = repositoryAndTag == null ? "hello:1" : registry.hostAddress() + "/" + repositoryAndTag;
        Process p = new ProcessBuilder("sh", FILES.resolve("oci-unpack").toString(), ref, into.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("oci-unpack finished within 60 s").isTrue();
        return new Unpack(p.exitValue(), stderr);
    }

    private static Layer gzip(Tar tar) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(tar.bytes());
        }
        return new Layer(GZIP, bytes.toByteArray());
    }

    /** Pushes an image of these layers (bottom first) under {@code tag}, or by digest alone when null. */
    private Pushed push(String repository, String tag, List<Layer> layers) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("image-" + pushes++).resolve("blobs")).getParent();
        List<String> blobs = new ArrayList<>();
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode manifest = Json.mapper().createObjectNode().put("schemaVersion", 2).put("mediaType", MANIFEST);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", blob(dir, config, blobs)).put("size", config.length);
        ArrayNode descriptors = manifest.putArray("layers");
        for (Layer layer : layers) {
            descriptors.addObject().put("mediaType", layer.mediaType()).put("digest", blob(dir, layer.bytes(), blobs))
                    .put("size", layer.bytes().length);
        }
        byte[] bytes = Json.mapper().writeValueAsBytes(manifest);
        Files.write(dir.resolve("manifest.json"), bytes);
        String digest = "sha256:" + Downloader.sha256OfBytes(bytes);
        new RegistryClient(registry.baseUrl()).pushImage(repository, tag == null ? digest : tag, dir, MANIFEST, blobs);
        return new Pushed(digest, bytes.length);
    }

    private static String blob(Path dir, byte[] content, List<String> blobs) throws IOException {
        String digest = "sha256:" + Downloader.sha256OfBytes(content);
        Files.write(dir.resolve("blobs").resolve(digest.replace(':', '-')), content);
        blobs.add(digest);
        return digest;
    }
}
