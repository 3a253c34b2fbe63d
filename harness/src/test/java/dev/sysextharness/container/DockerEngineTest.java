package dev.sysextharness.container;

import dev.sysextharness.guest.ContainerGuest;
import dev.sysextharness.image.FlavorContainerImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.sysextharness.extension.RegistryImage;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.host.HarnessException;
import dev.sysextharness.host.Workspace;
import dev.sysextharness.host.ImageCache;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's own Docker engine: its whole process tree ends with the harness; bad images are named. */
@Tag("host")
class DockerEngineTest {
    @TempDir
    Path dir;

    /** The child JVM: starts a private engine under the given cache root, prints its PID, then waits forever. */
    public static void main(String[] args) throws Exception {
        DockerEngine engine = DockerEngine.shared(Path.of(args[0]));
        System.out.println("ENGINE " + engine.pid() + " " + engine.isPrivate());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // parked until the test kills this JVM
    }

    @Test
    void aPrivateDockerdAndItsContainerdDieWithASigkilledHarness() throws IOException {
        assumeThat(System.getenv("DOCKER_HOST")).as("a private engine is started only without DOCKER_HOST").isNull();
        assumeThat(DockerEngine.answers(java.net.URI.create("unix:///var/run/docker.sock")))
                .as("a private engine is started only when /var/run/docker.sock does not answer").isFalse();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DockerEngineTest.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()));
        String line;
        do {
            line = r.readLine();
        } while (line != null && !line.startsWith("ENGINE "));
        assertThat(line).as("the child JVM started a private engine").isNotNull().endsWith(" true");
        List<ProcessHandle> tree = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains(dir.toString()))
                .toList();
        assertThat(tree).as("dockerd and containerd of the private engine under %s", dir)
                .anySatisfy(p -> assertThat(p.info().command().orElse("")).endsWith("dockerd"))
                .anySatisfy(p -> assertThat(p.info().command().orElse("")).endsWith("containerd"));

        child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
        await("dockerd and containerd end after their harness JVM was killed").atMost(Duration.ofSeconds(20))
                .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void anImageWithoutSystemdSysextIsNamedInOneLine() {
        DockerImages images = DockerImages.of(DockerEngine.shared(ImageCache.defaultLocation().root()));
        RegistryImage.ensure(images, RegistryImage.DEFAULT, dir.resolve("registry-image"));
        Flavor flavor = Workspace.locate(null).flavors().load("debian-12");
        assertThatThrownBy(() -> ContainerGuest.start(images, flavor, RegistryImage.DEFAULT, dir.resolve("evidence")))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining("image " + RegistryImage.DEFAULT + " has no systemd-sysext")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aKairosContainerImageThatIsNotHereIsOneLineAndNothingIsPulled() {
        DockerImages images = DockerImages.of(DockerEngine.shared(ImageCache.defaultLocation().root()));
        Flavor kairos = Workspace.locate(null).flavors().load("kairos-ubuntu-24.04");
        assumeThat(images.has(kairos.image().kairos().containerImage())).as("the Kairos image is not loaded here").isFalse();
        assertThatThrownBy(() -> FlavorContainerImage.ensure(images, kairos, () -> null, m -> { }))
                .isInstanceOf(HarnessException.class)
                .hasMessageContaining(kairos.image().kairos().containerImage())
                .hasMessageContaining("cannot be pulled here")
                .hasMessageNotContaining("\n");
    }
}
