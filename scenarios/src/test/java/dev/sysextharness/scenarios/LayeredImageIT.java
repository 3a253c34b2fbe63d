package dev.sysextharness.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysextharness.cli.ExitCodes;
import dev.sysextharness.extension.DistributionRegistry;
import dev.sysextharness.extension.RegistryClient;
import dev.sysextharness.host.Json;
import dev.sysextharness.image.Downloader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An author's image of two layers, the upper one replacing a file, whiting out another and making a directory opaque,
 * certified on the default flavor in both lanes: the node's own unpacker (VM lane, pulling through the guestfwd
 * registry) and the host's flattening (container lane) must both leave the whited-out paths absent, the upper
 * layer's bytes where it replaced a file, and no whiteout file in the tree — as kairos-agent's extractor
 * (go-containerregistry's mutate.Extract, which applies opaque directories since v0.21.8; kairos-sdk uses v0.21.9) does.
 * The certification scenarios hold the checks; this test gives them an image where getting layers wrong shows: Debian's
 * crane 0.20.7 as the reference flavors' unpacker failed it (the opaque directory's lower file came back), as did
 * umoci followed by a stray .wh. file.
 */
@Tag("vm")
class LayeredImageIT {
    private static final String DIR = "usr/share/layered/";
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DIGEST = "sha256:";

    @TempDir
    Path tmp;

    @Test
    void theNodesUnpackerAppliesWhiteoutsAsKairosDoes() throws Exception {
        byte[] lower = layer(t -> {
            dir(t, "usr/");
            dir(t, "usr/lib/");
            dir(t, "usr/lib/extension-release.d/");
            file(t, "usr/lib/extension-release.d/extension-release.layered", "ID=_any\n");
            dir(t, "usr/share/");
            dir(t, DIR);
            file(t, DIR + "kept", "from the lower layer\n");
            file(t, DIR + "replaced", "lower layer\n");
            file(t, DIR + "gone", "whited out by the upper layer\n");
            dir(t, DIR + "emptied/");
            file(t, DIR + "emptied/inner", "hidden by the upper layer's opaque directory\n");
        });
        byte[] upper = layer(t -> {
            file(t, DIR + "replaced", "upper layer\n");
            file(t, DIR + ".wh.gone", "");
            dir(t, DIR + "emptied/");
            file(t, DIR + "emptied/.wh..wh..opq", "");
            file(t, DIR + "emptied/fresh", "from the upper layer\n");
        });
        Path reports = tmp.resolve("reports");
        try (DistributionRegistry registry = DistributionRegistry.start(tmp.resolve("registry"))) {
            String ref = registry.hostAddress() + "/authors/layered:1";
            push(registry, tmp.resolve("image"), "authors/layered", "1", List.of(lower, upper));

            CliRun certified = CliRun.of("run", "--flavor", "debian-12", "--lane", "all", "--extension", ref,
                    "--scenario", "CertificationScenarios.yourExtensionUnpackedAtRuntime,CertificationScenarios.yourExtensionInTheFlavorsUserspace",
                    "--report-dir", reports.toString(), "--run-id", "layered");
            assertThat(certified.exit()).as("run's exit code; output: %s%s", certified.out(), certified.err()).isEqualTo(ExitCodes.OK);
        }

        Path run = reports.resolve("layered");
        JsonNode results = Json.mapper().readTree(run.resolve("summary.json").toFile()).get("results");
        List<String> lanes = new ArrayList<>();
        for (JsonNode cell : results) {
            lanes.add(cell.get("lane").asText());
            assertThat(cell.get("outcome").asText()).as("%s [%s]: %s", cell.get("scenario").asText(), cell.get("lane").asText(),
                    cell.get("observed").asText()).isEqualTo("passed");
            Path evidence = run.resolve(cell.get("evidence").asText());
            assertThat(Files.readString(evidence.resolve("files-observed.txt")))
                    .as("what %s's node showed at each path the image ships or whites out", cell.get("lane").asText())
                    .contains("/" + DIR + "gone\tmissing", "/" + DIR + "emptied/inner\tmissing",
                            "/" + DIR + "replaced\tfile " + Downloader.sha256OfBytes("upper layer\n".getBytes(StandardCharsets.UTF_8)),
                            "/" + DIR + "emptied/fresh\tfile ", "/" + DIR + "kept\tfile ");
        }
        assertThat(lanes).as("lanes of the two certification cells").containsExactlyInAnyOrder("vm", "container");
    }

    private interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    /** A gzipped tar layer. */
    private static byte[] layer(Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            entries.write(tar);
        }
        return bytes.toByteArray();
    }

    private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** Pushes an OCI image of these gzipped layers (bottom first) with its config, as an author's registry would serve it. */
    private static void push(DistributionRegistry registry, Path dir, String repository, String tag, List<byte[]> layers)
            throws IOException {
        Files.createDirectories(dir.resolve("blobs"));
        ObjectNode config = Json.mapper().createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config");
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ObjectNode manifest = Json.mapper().createObjectNode().put("schemaVersion", 2).put("mediaType", MANIFEST);
        ObjectNode configDescriptor = manifest.putObject("config");
        ArrayNode layerDescriptors = manifest.putArray("layers");
        List<String> blobs = new ArrayList<>();
        for (byte[] layer : layers) {
            try (GZIPInputStream plain = new GZIPInputStream(new ByteArrayInputStream(layer))) {
                diffIds.add(DIGEST + Downloader.sha256OfBytes(plain.readAllBytes()));
            }
            blobs.add(blob(dir, layer));
            layerDescriptors.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                    .put("digest", blobs.get(blobs.size() - 1)).put("size", layer.length);
        }
        byte[] configBytes = Json.mapper().writeValueAsBytes(config);
        blobs.add(0, blob(dir, configBytes));
        configDescriptor.put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", blobs.get(0))
                .put("size", configBytes.length);
        Files.write(dir.resolve("manifest.json"), Json.mapper().writeValueAsBytes(manifest));
        new RegistryClient(registry.baseUrl()).pushImage(repository, tag, dir, MANIFEST, blobs);
    }

    /** Writes {@code content} where RegistryClient looks for a blob, and returns its digest. */
    private static String blob(Path dir, byte[] content) throws IOException {
        String digest = DIGEST + Downloader.sha256OfBytes(content);
        Files.write(dir.resolve("blobs").resolve(digest.replace(':', '-')), content);
        return digest;
    }
}
