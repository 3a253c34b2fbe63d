package dev.sysextharness.guest;

import dev.sysextharness.host.Failures;
import dev.sysextharness.container.DockerImages;
import dev.sysextharness.container.TreeTar;
import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.SystemdVersion;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Transcript;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import com.github.dockerjava.api.model.Capability;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A container of a flavor's own userspace in which systemd-sysext merges: the container lane's {@link Guest}.
 * No network; {@code CAP_SYS_ADMIN} with AppArmor and seccomp unconfined ({@code --privileged} is refused by some
 * sandboxes, and is more than sysext needs); a tmpfs on /run; no devices, so no {@code .raw} images (without udev
 * their loop devices do not attach reliably: those scenarios are VM-only). Once started,
 * the container's mount namespace is made {@code rshared} — without it a merge reports success while nothing is
 * visible — and the part of the Kairos layout sysext sees is set up: /var/lib/extensions and /opt bound from a
 * non-overlay file system standing for COS_PERSISTENT at /usr/local/.state. Every {@code docker exec} joins that
 * namespace, so a merge persists between the commands of one scenario. Closing removes the container.
 */
public final class ContainerGuest implements Guest {
    static final String LABEL = "dev.sysextharness";
    static final String HOSTNAME = "node";
    private static final int NO_SYSEXT = 99;

    private final Flavor flavor;
    private final GenericContainer<?> container;
    private final Transcript transcript;
    private final Path evidenceDir;
    private final String image;
    private SystemdVersion systemd;

    private ContainerGuest(Flavor flavor, GenericContainer<?> container, Path evidenceDir, String image) {
        this.flavor = flavor;
        this.container = container;
        this.evidenceDir = evidenceDir;
        this.image = image;
        this.transcript = new Transcript(evidenceDir.resolve("transcript.txt"));
    }

    /** Starts a fresh container of {@code image} for one scenario on {@code flavor}; evidence goes to {@code evidenceDir}. */
    public static ContainerGuest start(DockerImages images, Flavor flavor, String image, Path evidenceDir) {
        if (!images.has(image)) {
            throw new HarnessException("container image " + image + " of flavor " + flavor.name()
                    + " is not on the Docker engine and nothing is pulled here; load it first (docker load -i FILE)");
        }
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(DockerImages.NEVER_PULL)
                .withNetworkMode("none")
                .withLabel(LABEL, "flavor " + flavor.name())
                .withExtraHost(HOSTNAME, "127.0.0.1")
                .withTmpFs(Map.of("/run", "rw,mode=755", "/tmp", "rw,mode=1777"))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withEntrypoint("sleep").withCmd("infinity").withHostName(HOSTNAME);
                    cmd.getHostConfig()
                            .withCapAdd(Capability.SYS_ADMIN)
                            .withSecurityOpts(List.of("apparmor=unconfined", "seccomp=unconfined"));
                });
        Instant started = Instant.now();
        try {
            c.start();
        } catch (RuntimeException e) {
            c.close();
            if (String.valueOf(rootCause(e).getMessage()).contains("executable file not found")) {
                throw noSysext(image, flavor);
            }
            throw new HarnessException("cannot start a container of " + image + " for flavor " + flavor.name() + ": "
                    + Failures.firstLine(rootCause(e)), e);
        }
        ContainerGuest guest = new ContainerGuest(flavor, c, evidenceDir, image);
        try {
            Files.createDirectories(evidenceDir);
            Files.writeString(evidenceDir.resolve("container.txt"), "image " + image + "\ncontainer " + c.getContainerId()
                    + "\nnetwork none; cap-add SYS_ADMIN; security-opt apparmor=unconfined, seccomp=unconfined; tmpfs /run, /tmp\n");
            guest.prepare();
        } catch (IOException | RuntimeException e) {
            guest.close();
            throw e instanceof HarnessException h ? h : new HarnessException("cannot prepare the container of " + image + ": " + Failures.firstLine(e), e);
        }
        guest.transcript.note(String.format("# harness: container of %s started and prepared in %.1f s", image,
                Duration.between(started, Instant.now()).toMillis() / 1000.0));
        return guest;
    }

    private void prepare() {
        String user = flavor.login().user();
        String script = String.join("\n",
                "command -v systemd-sysext >/dev/null || exit " + NO_SYSEXT,
                "set -e",
                "mount --make-rshared /",
                "mount --make-rshared /run",
                "mkdir -p /usr/local/.state",
                "mount -t tmpfs -o mode=0755 cos-persistent /usr/local/.state",
                "mkdir -p /usr/local/.state/var-lib-extensions.bind /usr/local/.state/opt.bind /var/lib/extensions /opt /run/extensions",
                "cp -a /opt/. /usr/local/.state/opt.bind/",
                "mount --bind /usr/local/.state/var-lib-extensions.bind /var/lib/extensions",
                "mount --bind /usr/local/.state/opt.bind /opt",
                // Kairos creates its login user from cloud-config at install; a bare image may not have it yet
                "if ! id -u " + user + " >/dev/null 2>&1; then useradd -m -s /bin/bash " + user
                        + " && echo '" + user + " ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/sysext-harness; fi",
                "systemctl --version | head -n 1");
        CommandResult setup = exec("root", "bash", script, script, Duration.ofSeconds(60));
        // 126/127: not even the shell or coreutils the lane runs commands with
        if (setup.exitCode() == NO_SYSEXT || setup.exitCode() == 126 || setup.exitCode() == 127) {
            throw noSysext(image, flavor);
        }
        if (!setup.succeeded()) {
            throw new HarnessException("cannot prepare the container of " + image + " for sysext: " + setup.describe()
                    + "; see " + transcript.file());
        }
        String versionLine = setup.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        systemd = SystemdVersion.parse(versionLine);
        if (systemd == null || systemd.major() != flavor.systemdVersion()) {
            throw new ConfigException("flavor " + flavor.name() + " declares systemdVersion " + flavor.systemdVersion()
                    + " but its image " + image + " has '" + versionLine + "'; fix vm-configs/" + flavor.name() + ".yaml");
        }
    }

    /** The systemd release of the image's userspace (point release included), the oracle's version input. */
    @Override
    public SystemdVersion systemd() {
        return systemd;
    }

    @Override
    public Flavor flavor() {
        return flavor;
    }

    @Override
    public Lane lane() {
        return Lane.CONTAINER;
    }

    @Override
    public Transcript transcript() {
        return transcript;
    }

    @Override
    public Path evidenceDir() {
        return evidenceDir;
    }

    public String image() {
        return image;
    }

    public String containerId() {
        return container.getContainerId();
    }

    private ContainerShell userShell;
    private ContainerShell rootShell;

    @Override
    public CommandResult run(String command) {
        return run(command, flavor.timeouts().command());
    }

    /** As the login user, through bash without a login shell — what an SSH command on the node gets. */
    @Override
    public CommandResult run(String command, Duration timeout) {
        return inShell(false, command, command, timeout);
    }

    /** As root through /bin/sh, as the node's root shell runs it; recorded as the equivalent sudo command. */
    @Override
    public CommandResult sudo(String script) {
        return inShell(true, script, Guest.asSudo(script), flavor.timeouts().command());
    }

    /** In the container's long-lived shell for the login user (bash, as over SSH) or root (/bin/sh). */
    private synchronized CommandResult inShell(boolean root, String command, String recordedAs, Duration timeout) {
        ContainerShell shell = root ? rootShell : userShell;
        try {
            if (shell == null || !shell.isOpen()) {
                shell = ContainerShell.open(container.getDockerClient(), container.getContainerId(),
                        root ? "root" : flavor.login().user(), root ? "/bin/sh" : "bash");
                if (root) {
                    rootShell = shell;
                } else {
                    userShell = shell;
                }
            }
            CommandResult r = shell.exec(command, recordedAs, timeout);
            transcript.record(r);
            if (!r.completed()) {
                shell.close();
            }
            return r.requireCompleted(flavor.name(), transcript.file());
        } catch (IOException | RuntimeException e) {
            if (e instanceof HarnessException h) {
                throw h;
            }
            transcript.note("$ " + recordedAs + "\n# harness: docker exec failed: " + e.getMessage() + "\n");
            throw new HarnessException("docker exec in the container of " + image + " failed running '" + recordedAs + "': "
                    + Failures.firstLine(e), e);
        }
    }

    private CommandResult exec(String user, String shell, String command, String recordedAs, Duration timeout) {
        Instant start = Instant.now();
        try {
            Container.ExecResult r = container.execInContainerWithUser(StandardCharsets.UTF_8, user,
                    "timeout", "--kill-after=5", Long.toString(timeout.toSeconds()), shell, "-c", command);
            CommandResult result = new CommandResult(recordedAs, r.getExitCode(), r.getStdout(), r.getStderr(),
                    Duration.between(start, Instant.now()));
            transcript.record(result);
            if (r.getExitCode() == 124) {
                throw new HarnessException("'" + command + "' did not exit within " + timeout.toSeconds() + " s in the container of "
                        + image + "; see " + transcript.file());
            }
            return result;
        } catch (IOException e) {
            transcript.note("$ " + command + "\n# harness: docker exec failed: " + e.getMessage() + "\n");
            throw new HarnessException("docker exec in the container of " + image + " failed running '" + command + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running '" + command + "' in the container of " + image, e);
        }
    }

    /** Copies a host directory tree to {@code containerPath} (created; owned by root, modes kept). */
    public void copyIn(Path hostDir, String containerPath) {
        // Docker's archive API writes to the container's root file system and does not see the binds made inside
        // the container (/var/lib/extensions is one): stage the tree there, then copy it from inside.
        String staging = "/var/tmp/sysext-harness-copy-in";
        // our own tar, not Testcontainers' MountableFile: that one drops symlinks (an author's tool-link -> tool vanished)
        try (java.io.InputStream tar = TreeTar.of(hostDir, "sysext-harness-copy-in")) {
            container.getDockerClient().copyArchiveToContainerCmd(container.getContainerId()).withRemotePath("/var/tmp")
                    .withTarInputStream(tar).exec();
        } catch (IOException e) {
            throw new HarnessException("cannot copy " + hostDir + " into the container of " + image + ": " + e.getMessage(), e);
        }
        transcript.note("# harness: copied " + hostDir + " into the container at " + staging);
        sudoOk("mkdir -p " + containerPath + " && cp -a " + staging + "/. " + containerPath + "/ && rm -rf " + staging);
    }

    /** Copies a host file to {@code guestPath} as root, readable by all (staged on the root file system, as copyIn). */
    @Override
    public void sendFile(Path file, String guestPath) {
        String staging = "/var/tmp/sysext-harness-file";
        try {
            container.copyFileToContainer(org.testcontainers.utility.MountableFile.forHostPath(file), staging);
        } catch (RuntimeException e) {
            throw new HarnessException("cannot copy " + file + " into the container of " + image + ": " + Failures.firstLine(rootCause(e)), e);
        }
        transcript.note("# harness: copied " + file + " into the container at " + staging);
        sudoOk("mkdir -p \"$(dirname '" + guestPath + "')\" && mv " + staging + " '" + guestPath + "' && chmod 0644 '" + guestPath + "'");
    }

    /** Copies a regular file out of the container's root file system to {@code hostFile}. */
    public void copyOut(String containerPath, Path hostFile) {
        try {
            container.copyFileFromContainer(containerPath, hostFile.toString());
        } catch (RuntimeException e) {
            throw new HarnessException("cannot copy " + containerPath + " out of the container of " + image + ": "
                    + Failures.firstLine(rootCause(e)), e);
        }
        transcript.note("# harness: copied " + containerPath + " out of the container to " + hostFile);
    }

    @Override
    public void close() {
        for (ContainerShell shell : new ContainerShell[] {userShell, rootShell}) {
            if (shell != null) {
                shell.close();
            }
        }
        container.stop();
    }

    private static HarnessException noSysext(String image, Flavor flavor) {
        return new HarnessException("image " + image + " has no systemd-sysext: it is not a systemd-based OS image, so the"
                + " container lane cannot judge flavor " + flavor.name() + " with it");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

}
