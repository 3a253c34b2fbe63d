package dev.sysextharness.sysext;

import dev.sysextharness.extension.SigningKey;
import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.flavor.PolicyVariant;
import dev.sysextharness.flavor.OptIn;
import dev.sysextharness.guest.CommandResult;
import dev.sysextharness.guest.Guest;
import dev.sysextharness.guest.Lane;
import dev.sysextharness.guest.Mount;
import dev.sysextharness.guest.Rebootable;
import dev.sysextharness.guest.SideBySide;
import dev.sysextharness.host.HarnessException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * Every sysext read and write on a guest goes through here, with the flavor's SYSTEMD_SYSEXT_HIERARCHIES applied
 * ({@code sudo} drops the variable, so it is passed explicitly) or through the service, which carries its drop-in
 * ({@link SysextService}: the unit on a node, its commands in a container).
 */
public final class Sysext {
    static final String RUNTIME_DROP_IN = "/run/systemd/system/systemd-sysext.service.d/zz-harness-hierarchies.conf";

    /** The container lane's stand-in for {@code journalctl -u systemd-sysext}. */
    public static final String SERVICE_LOG = SysextService.UnitCommands.LOG;

    static final String POLICY_DROP_IN = "/run/systemd/system/systemd-sysext.service.d/zz-harness-policy.conf";

    private final Guest node;
    private final SysextService service;
    private final DdiSource ddis;
    private List<String> hierarchies;
    private String imagePolicy;

    private Sysext(Guest node, DdiSource ddis) {
        this.node = node;
        this.ddis = ddis;
        this.hierarchies = node.flavor().sysext().hierarchies();
        this.imagePolicy = node.flavor().sysext().imagePolicy();
        this.service = SysextService.of(node.lane(), node.flavor(), this::env);
    }

    public static Sysext on(Guest guest) {
        return new Sysext(guest, DdiSource.NONE);
    }

    /** With the run's DDIs and signing keys ({@link DirectoryExtension#asDdi}, {@link #useVariant}). */
    public static Sysext on(Guest guest, DdiSource ddis) {
        return new Sysext(guest, ddis);
    }

    /** The --image-policy the service runs with now: the flavor's, or a variant's after {@link #useVariant}; null for none. */
    public String imagePolicy() {
        return imagePolicy;
    }

    /** The harness's signing key of that name (made once per cache), to sign a DDI with. */
    public SigningKey signingKey(String name) {
        return ddis.key(name);
    }

    /**
     * Sets the service up as one of the flavor's policy variants ({@code sysext.variants} in its flavor file): a runtime
     * drop-in with the variant's --image-policy, and the certificates of its keys in /run/verity.d, where immucore puts
     * the firmware's on a UKI boot. VM lane only (the container lane's service is the flavor's). Returns what the node
     * trusts now, for the oracle.
     */
    public MergeOracle.Trust useVariant(String name) {
        return useVariant(name, true);
    }

    /**
     * The variant's drop-in alone, without the certificates it would put into /run/verity.d: what the node trusts then
     * is what its kernel takes from the firmware ({@link #trust()}).
     */
    public MergeOracle.Trust useVariantPolicyOnly(String name) {
        return useVariant(name, false);
    }

    /**
     * What the node trusts as it stands, for the oracle: the firmware's db where the flavor's kernel takes it for
     * verity ({@code sysext.kernelTrustsFirmwareDb}), nothing in /run/verity.d unless a variant put it there.
     */
    public MergeOracle.Trust trust() {
        return trust(Set.of());
    }

    private MergeOracle.Trust trust(Set<String> verityDirs) {
        Set<String> db = node.firmwareDb();
        if (db.isEmpty()) {
            return new MergeOracle.Trust(Set.of(), verityDirs);
        }
        Boolean takes = node.flavor().sysext().kernelTrustsFirmwareDb();
        if (takes == null) {
            throw new IllegalStateException(node.flavor().name() + ": a node with certificates in its firmware's db, on a flavor that"
                    + " does not say whether its kernel takes them (sysext.kernelTrustsFirmwareDb)");
        }
        return takes ? new MergeOracle.Trust(db, verityDirs) : new MergeOracle.Trust(Set.of(), verityDirs, db);
    }

    private MergeOracle.Trust useVariant(String name, boolean verityCertificates) {
        PolicyVariant variant = node.flavor().sysext().variants().get(name);
        if (variant == null) {
            throw new IllegalArgumentException("flavor " + node.flavor().name() + " has no sysext variant '" + name + "' (it has "
                    + node.flavor().sysext().variants().keySet() + ")");
        }
        if (node.lane() != Lane.VM) {
            throw new IllegalStateException("a policy variant is a drop-in of the service: VM lane only");
        }
        String policy = "--image-policy=\"" + variant.imagePolicy() + "\"";
        node.writeUnitFile(POLICY_DROP_IN, "[Service]\nExecStart=\nExecStart=systemd-sysext refresh " + policy
                + "\nExecReload=\nExecReload=systemd-sysext refresh " + policy + "\n");
        List<String> certificates = verityCertificates ? variant.verityCertificates() : List.of();
        if (!certificates.isEmpty()) {
            node.sudoOk("mkdir -p /run/verity.d");
        }
        Set<String> trusted = new LinkedHashSet<>();
        for (String keyName : certificates) {
            SigningKey key = ddis.key(keyName);
            node.sendFile(key.certificate(), "/run/verity.d/" + keyName + ".crt");
            trusted.add(key.fingerprint());
        }
        imagePolicy = variant.imagePolicy();
        node.transcript().note("# harness: service set up as variant '" + name + "' (" + variant.description() + "): " + policy
                + ", /run/verity.d holds " + certificates + (node.firmwareDb().isEmpty() ? "" : ", the firmware's db holds "
                + node.firmwareDb()));
        return trust(trusted);
    }

    public Guest guest() {
        return node;
    }

    public Flavor flavor() {
        return node.flavor();
    }

    /** The hierarchies in force: the flavor's, or the opted-in list after {@link #optInOpt()}. */
    public List<String> hierarchies() {
        return hierarchies;
    }

    private String env() {
        return "SYSTEMD_SYSEXT_HIERARCHIES=" + String.join(":", hierarchies); // a shell assignment: no env program to start
    }

    /** Unpacks an image (as the guest reaches it) into /var/lib/extensions/NAME with the flavor's own command. */
    public CommandResult unpack(String guestImage, String extensionName) {
        return unpackInto(guestImage, "/var/lib/extensions/" + extensionName);
    }

    /** Unpacks an image into {@code dir} with the flavor's own command, as root. */
    public CommandResult unpackInto(String guestImage, String dir) {
        return node.sudo(node.flavor().unpackCommand(guestImage, dir));
    }

    /**
     * The host's os-release as systemd-sysext reads it (/etc/os-release, else /usr/lib/os-release): an input of the
     * oracle. Read by the shell's own {@code read}, not {@code cat}: a program's first start in a restored node costs
     * about 0.1 s under TCG.
     */
    public Map<String, String> hostOsRelease() {
        CommandResult r = node.run("f=/etc/os-release; [ -r $f ] || f=/usr/lib/os-release;"
                + " while IFS= read -r l || [ -n \"$l\" ]; do printf '%s\\n' \"$l\"; done < $f");
        if (!r.succeeded()) {
            throw new HarnessException("cannot read os-release on " + node.flavor().name() + ": " + r.describe());
        }
        return Compatibility.parseRelease(r.stdout());
    }

    /** Writes a directory extension into the node's search path (as root); a failure is a set-up error. */
    public DirectoryExtension place(DirectoryExtension ext) {
        node.sudoOk(ext.script());
        if (ext.ddiKind() != null) {
            node.sendFile(ddiOnHost(ext), ext.path());
        }
        return ext;
    }

    /** The DDI an extension ships as ({@link DirectoryExtension#asVerityDdi} …), made on the host (cached by content). */
    public Path ddiOnHost(DirectoryExtension ext) {
        if (ext.ddiKind() == null) {
            throw new IllegalArgumentException(ext.name() + " does not ship as a DDI");
        }
        Path tree = node.evidenceDir().resolve("ddi-trees").resolve(ext.name());
        try {
            ext.writeTree(tree);
        } catch (IOException e) {
            throw new HarnessException("cannot write the tree of " + ext.name() + " under " + tree + ": " + e.getMessage(), e);
        }
        return ddis.make(tree, ext.fileName(), ext.ddiKind(), ext.signer());
    }

    /** Merges what is installed the way the node does at boot: through the service (its drop-in, its policy). */
    public CommandResult refresh() {
        return observed("service restart", node.sudo(service.restart()));
    }

    /** Refreshes through the service's ExecReload (the drop-in's refresh, without unmerging first). */
    public CommandResult reload() {
        return observed("service reload", node.sudo(service.reload()));
    }

    /** Unmerges through the service (ExecStop=systemd-sysext unmerge, with the drop-in's hierarchies). */
    public CommandResult stopService() {
        return observed("service stop", node.sudo(service.stop()));
    }

    /** Records how an action on the service or the tool ended, as a fact of the cell. */
    private CommandResult observed(String what, CommandResult r) {
        node.transcript().observe(what + ": exit " + r.exitCode()); // what it said is in the log lines the checks read
        return r;
    }

    /** What the service logged in this boot (VM: its journal; container: the log of the commands run for it). */
    public CommandResult serviceLog() {
        return node.sudo(service.log());
    }

    /** What the service's last run logged (VM: that invocation's journal; container: the last run of its commands). */
    public CommandResult lastRunLog() {
        return node.sudo(service.lastRunLog());
    }

    /** The service's ActiveState, Result and ExecMainStatus now (their stand-ins in a container). */
    public Map<String, String> serviceState() {
        return Compatibility.parseRelease(node.sudoOk(service.state()).stdout());
    }

    /**
     * A refresh with systemd's debug log, the flavor's hierarchies and its image policy: the only place systemd names the
     * reason it ignores an image. Evidence for the oracle's reasons; it merges what the service merges.
     */
    public CommandResult debugRefresh() {
        String policy = node.flavor().sysext().imagePolicy();
        return node.sudo(env() + " SYSTEMD_LOG_LEVEL=debug systemd-sysext refresh" + (policy == null ? "" : " --image-policy=" + policy));
    }

    public CommandResult merge() {
        return observed("systemd-sysext merge", node.sudo(env() + " systemd-sysext merge"));
    }

    public CommandResult unmerge() {
        return observed("systemd-sysext unmerge", node.sudo(env() + " systemd-sysext unmerge"));
    }

    public SysextStatus status() {
        CommandResult r = node.sudo(statusScript());
        if (!r.succeeded()) {
            throw new HarnessException("systemd-sysext status failed on " + node.flavor().name() + ": " + r.describe());
        }
        return observed(SysextStatus.parse(r.stdout()));
    }

    private String statusScript() {
        return env() + " systemd-sysext status --json=short";
    }

    /** Records what status shows merged, as a fact of the cell. */
    SysextStatus observed(SysextStatus status) {
        node.transcript().observe("status: " + status.summary());
        return status;
    }

    /**
     * Right after a run of the service: its state, what that run logged and status, read side by side in one command
     * ({@link SideBySide}) instead of three. Status is not observed here; its reader records it when it looks.
     */
    public AfterRun afterRun() {
        List<SideBySide.Part> p = node.sudoSideBySide(List.of(service.state(), service.lastRunLog(), statusScript()));
        String where = node.flavor().name() + " (" + node.lane().label() + "), see " + node.transcript().file();
        if (!p.get(0).succeeded()) {
            throw new HarnessException("reading the service's state failed on " + where + ": exit " + p.get(0).exitCode() + ", "
                    + p.get(0).stderr().strip());
        }
        return new AfterRun(Compatibility.parseRelease(p.get(0).stdout()), p.get(1).stdout(), p.get(2), where);
    }

    /**
     * What {@link #afterRun} read: the service's state, its last run's log lines, and what status printed, parsed only
     * when asked: a refresh that exits as it should not is the cell's failure even if status then fails too.
     */
    public record AfterRun(Map<String, String> serviceState, String lastRunLog, SideBySide.Part statusPrinted, String where) {
        /** Status as the service's run left it; a status that failed or printed no JSON is the harness's error. */
        public SysextStatus status() {
            if (!statusPrinted.succeeded()) {
                throw new HarnessException("systemd-sysext status failed on " + where + ": exit " + statusPrinted.exitCode() + ", "
                        + statusPrinted.stderr().strip());
            }
            return SysextStatus.parse(statusPrinted.stdout());
        }
    }

    /**
     * What {@code systemd-sysext list} finds in the search path: file name (as the path ends) → the image name systemd
     * gives it on this version.
     */
    public Map<String, String> listed() {
        CommandResult r = node.sudo("systemd-sysext list --json=short");
        if (!r.succeeded()) {
            throw new HarnessException("systemd-sysext list failed on " + node.flavor().name() + ": " + r.describe());
        }
        Map<String, String> names = new java.util.LinkedHashMap<>();
        try {
            for (var row : dev.sysextharness.host.Json.mapper().readTree(r.stdout())) {
                String path = row.path("path").asText();
                names.put(path.substring(path.lastIndexOf('/') + 1), row.path("name").asText());
            }
        } catch (java.io.IOException e) {
            throw new HarnessException("systemd-sysext list printed no JSON on " + node.flavor().name() + ": " + r.out(), e);
        }
        node.transcript().observe("list: " + names);
        return names;
    }

    /** What a non-login shell sees without the Kairos variable (the pitfall Kairos's own test works around). */
    public SysextStatus statusWithDefaultHierarchies() {
        return SysextStatus.parse(node.sudo("systemd-sysext status --json=short").stdout());
    }

    private static final String EVIDENCE_LOG = "----- sysext-harness: service log -----";
    private static final String EVIDENCE_STATE = "----- sysext-harness: service state -----";

    /** The root script that reads a cell's evidence ({@link #evidence}): status, the service's state and its log. */
    public String evidenceScript() {
        return env() + " systemd-sysext status --json=short 2>&1; echo '" + EVIDENCE_STATE + "'; " + service.state() + " 2>&1; echo '"
                + EVIDENCE_LOG + "'; " + service.log() + " 2>&1";
    }

    /**
     * What {@link #evidenceScript} printed, as a cell's evidence; the state and what status shows merged are also
     * observed, so that every cell's "observed" column ends with what the node looked like.
     */
    public Evidence evidence(SideBySide.Part printed) {
        String[] parts = printed.stdout().split(EVIDENCE_LOG + "\n", 2);
        String[] statusAndState = parts[0].split(EVIDENCE_STATE + "\n", 2);
        Map<String, String> state = Compatibility.parseRelease(statusAndState.length > 1 ? statusAndState[1] : "");
        node.transcript().observe("at the end: service " + state.getOrDefault("ActiveState", "?") + " (result "
                + state.getOrDefault("Result", "?") + ", exit " + state.getOrDefault("ExecMainStatus", "?") + ")");
        try {
            node.transcript().observe("at the end: " + SysextStatus.parse(statusAndState[0]).summary());
        } catch (IllegalArgumentException e) {
            node.transcript().observe("at the end: status unreadable (" + statusAndState[0].strip().lines().findFirst().orElse("") + ")");
        }
        return new Evidence(statusAndState[0], parts.length > 1 ? parts[1] : printed.stderr(), state);
    }

    /** What {@link #evidence} collected: status as JSON, the journal of the service (or its stand-in's log), its state. */
    public record Evidence(String statusJson, String serviceLog, Map<String, String> serviceState) {
    }

    /** The mount on a hierarchy, or null. */
    public Mount mount(String hierarchy) {
        return node.mount(hierarchy);
    }

    /**
     * The documented /opt opt-in: the service's hierarchy list plus /opt, the way the flavor does it. Kairos rewrites
     * its drop-in from a {@code stages.initramfs.after} cloud-config in /oem, effective from the next boot, so the
     * node reboots (with a boot_id proof); a reference node has no stage runner, so the same override is a drop-in
     * under /run that lasts until the next boot.
     */
    public void optInOpt() {
        List<String> withOpt = new ArrayList<>(node.flavor().sysext().hierarchies());
        if (!withOpt.contains("/opt")) {
            withOpt.add("/opt");
        }
        if (node.lane() == Lane.CONTAINER) {
            // the container's "service" is refresh() above, which takes this list
            hierarchies = List.copyOf(withOpt);
            return;
        }
        if (node.flavor().sysext().optIn() == OptIn.KAIROS_STAGE) {
            String stage = KairosOptStage.render(withOpt, node.flavor().sysext().imagePolicy());
            node.sudoOk("cat > " + KairosOptStage.OEM_FILE + " <<'HARNESS_EOF'\n" + stage + "HARNESS_EOF");
            if (!(node instanceof Rebootable rebootable)) {
                throw new IllegalStateException(node.flavor().name() + ": the kairos-stage /opt opt-in needs a guest that can reboot");
            }
            rebootable.reboot(); // the stage runs at the next boot
        } else {
            node.writeUnitFile(RUNTIME_DROP_IN, "[Service]\nEnvironment=\"SYSTEMD_SYSEXT_HIERARCHIES=" + String.join(":", withOpt)
                    + "\"\n");
        }
        hierarchies = List.copyOf(withOpt);
    }

    /** The top mounts on several hierarchies in one findmnt call; hierarchies without a mount are absent. */
    public Map<String, Mount> mounts(String... hierarchies) {
        return node.mounts(List.of(hierarchies));
    }

    /** Whether root can create a file in {@code dir} (and removes it again). */
    public boolean writable(String dir) {
        return node.sudo("f=" + dir + "/.harness-write-probe; touch $f && rm -f $f").succeeded();
    }
}
