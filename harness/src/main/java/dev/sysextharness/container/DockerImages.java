package dev.sysextharness.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.OwnedProcesses;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.ImagePullPolicy;

/**
 * Images on the harness's Docker engine, through Testcontainers' client. Nothing is ever pulled (there is no
 * registry to pull from but the harness's own): images are imported from local tarballs or must already be there.
 */
public final class DockerImages {
    /** For every container the harness starts: the image is local or the start fails naming it. */
    public static final ImagePullPolicy NEVER_PULL = image -> false;

    private final DockerClient client;
    private final DockerEngine engine;

    private DockerImages(DockerClient client, DockerEngine engine) {
        this.client = client;
        this.engine = engine;
    }

    /**
     * Images of {@code engine}. Testcontainers' resource reaper (Ryuk) runs from an image that cannot be pulled here
     * and reads its switch only from the environment, so the harness requires it off and removes its own containers.
     */
    public static DockerImages of(DockerEngine engine) {
        if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            throw new DockerEngine.Unavailable("Docker engine " + engine + " found, but Testcontainers would start Ryuk from an"
                    + " image that cannot be pulled here: run with TESTCONTAINERS_RYUK_DISABLED=true (harness/bin/sysext-harness"
                    + " and the Maven build set it)");
        }
        return new DockerImages(DockerClientFactory.instance().client(), engine);
    }

    public DockerClient client() {
        return client;
    }

    public boolean has(String ref) {
        try {
            client.inspectImageCmd(ref).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * {@code docker import} of a root file system tarball as {@code repository:tag}. Through the docker CLI:
     * docker-java's import sends the stream JSON-encoded, which the engine refuses ("unexpected EOF").
     */
    public void importTarball(Path tar, String repository, String tag) {
        OwnedProcesses.run(List.of("docker", "-H", engine.host().toString(), "import", tar.toString(), repository + ":" + tag), 600);
        if (!has(repository + ":" + tag)) {
            throw new HarnessException("docker import of " + tar + " did not produce " + repository + ":" + tag);
        }
    }
}
