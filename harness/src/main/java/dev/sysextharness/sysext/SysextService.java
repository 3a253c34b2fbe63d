package dev.sysextharness.sysext;

import dev.sysextharness.flavor.Flavor;
import dev.sysextharness.guest.Lane;
import java.util.function.Supplier;

/**
 * What "through the service" means in a lane, as the commands a guest runs. On a node it is systemd-sysext.service
 * itself. A container has no service manager, so the harness runs exactly what the flavor's unit and drop-in run —
 * ExecStop {@code systemd-sysext unmerge}, ExecStart and ExecReload {@code systemd-sysext refresh} with the drop-in's
 * {@code --image-policy}, all with its hierarchy list — appending their output to a log that stands in for the
 * unit's journal. Every command runs as root.
 */
interface SysextService {
    String restart();

    String reload();

    String stop();

    /** What the service logged since boot. */
    String log();

    /** {@code env} gives the drop-in's environment as a command prefix, e.g. {@code env SYSTEMD_SYSEXT_HIERARCHIES=…}. */
    static SysextService of(Lane lane, Flavor flavor, Supplier<String> env) {
        return lane == Lane.VM ? new Unit() : new UnitCommands(flavor, env);
    }

    /** systemctl on the node: the unit carries its drop-in. */
    final class Unit implements SysextService {
        @Override
        public String restart() {
            return "systemctl restart systemd-sysext";
        }

        @Override
        public String reload() {
            return "systemctl reload systemd-sysext";
        }

        @Override
        public String stop() {
            return "systemctl stop systemd-sysext";
        }

        @Override
        public String log() {
            return "journalctl -b -u systemd-sysext --no-pager -o short-precise";
        }
    }

    /** The unit's commands, run by the harness as root in the order systemctl would run them. */
    final class UnitCommands implements SysextService {
        static final String LOG = "/run/sysext-harness/systemd-sysext.service.log";

        private final String policyOption;
        private final Supplier<String> env;

        UnitCommands(Flavor flavor, Supplier<String> env) {
            String policy = flavor.sysext().imagePolicy();
            this.policyOption = policy == null ? "" : " --image-policy=" + policy;
            this.env = env;
        }

        @Override
        public String restart() {
            return script("restart", "systemd-sysext unmerge", "systemd-sysext refresh" + policyOption);
        }

        @Override
        public String reload() {
            return script("reload", "systemd-sysext refresh" + policyOption);
        }

        @Override
        public String stop() {
            return script("stop", "systemd-sysext unmerge");
        }

        @Override
        public String log() {
            return "cat " + LOG;
        }

        /** The exit status is the last command's, as systemctl reports the last step's failure. */
        private String script(String verb, String... commands) {
            StringBuilder s = new StringBuilder("mkdir -p $(dirname " + LOG + "); echo '-- systemctl " + verb
                    + " systemd-sysext (run by the harness)' >> " + LOG);
            for (String c : commands) {
                s.append("; ").append(env.get()).append(' ').append(c).append(" >> ").append(LOG).append(" 2>&1");
            }
            s.append("; rc=$?; echo \"-- exit $rc\" >> ").append(LOG).append("; exit $rc");
            return s.toString();
        }
    }
}
