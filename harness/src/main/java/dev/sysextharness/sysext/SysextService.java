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

    /** What the service's last run (start, restart or reload) printed, without the lines of earlier runs. */
    String lastRunLog();

    /** Prints the service's state as KEY=VALUE lines: ActiveState, Result and ExecMainStatus (their stand-ins in a container). */
    String state();

    /** {@code env} gives the drop-in's environment as a command prefix, e.g. {@code SYSTEMD_SYSEXT_HIERARCHIES=…}. */
    static SysextService of(Lane lane, Flavor flavor, Supplier<String> env) {
        return lane == Lane.VM ? new Unit() : new UnitCommands(flavor, env);
    }

    /**
     * systemctl on the node: the unit carries its drop-in. Each action first notes the journal's cursor in the guest, so
     * that the lines of that run can be read back without the lines of earlier ones.
     */
    final class Unit implements SysextService {
        static final String CURSOR = "/run/sysext-harness/service-cursor";

        /**
         * The cursor is cut out of journalctl's last line by the shell itself: under TCG every program started costs
         * (mkdir and sed took about 0.1 s of a restored node's first refresh), builtins nearly nothing.
         */
        private static String noted(String action) {
            return "[ -d /run/sysext-harness ] || mkdir -p /run/sysext-harness; c=$(journalctl -n1 -o cat --show-cursor --no-pager);"
                    + " case $c in *'-- cursor: '*) printf '%s\\n' \"${c##*-- cursor: }\";; esac > " + CURSOR + "; " + action;
        }

        @Override
        public String restart() {
            return noted("systemctl restart systemd-sysext");
        }

        @Override
        public String reload() {
            return noted("systemctl reload systemd-sysext");
        }

        @Override
        public String stop() {
            return noted("systemctl stop systemd-sysext");
        }

        /**
         * The unit's lines, PID 1's lines about it, and systemd-sysext's own messages under the names it and its forked
         * merge child log as: a message sent to the journal directly is filed under the unit only if journald still
         * finds the process, and a child that ends at once is often gone by then (measured on 252: 'No suitable
         * extensions found', logged as '(sd-sysext)', sometimes without a unit).
         */
        static final String MATCHES = "_SYSTEMD_UNIT=systemd-sysext.service + UNIT=systemd-sysext.service"
                + " + SYSLOG_IDENTIFIER=systemd-sysext + 'SYSLOG_IDENTIFIER=(sd-sysext)' + 'SYSLOG_IDENTIFIER=(sd-merge)'";

        @Override
        public String log() {
            return "journalctl -b --no-pager -o short-precise " + MATCHES;
        }

        @Override
        public String state() {
            return "systemctl show -p ActiveState -p Result -p ExecMainStatus systemd-sysext";
        }

        /** Its lines (see {@link #log()}) after the cursor noted before its last action. */
        @Override
        public String lastRunLog() {
            // no cursor yet: the service has only run at boot, and that run is the last
            return "c=; { read -r c < " + CURSOR + "; } 2>/dev/null; if [ -n \"$c\" ]; then journalctl -b --no-pager -o cat --after-cursor=\"$c\" "
                    + MATCHES + "; else journalctl -b --no-pager -o cat " + MATCHES + "; fi";
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

        @Override
        public String lastRunLog() {
            return "awk '/^-- systemctl /{buf=\"\"; next} /^-- exit /{next} {buf=buf $0 \"\\n\"} END{printf \"%s\", buf}' " + LOG;
        }

        /** The last command run for the service: its exit status stands for the unit's. */
        @Override
        public String state() {
            return "s=$(grep '^-- exit ' " + LOG + " 2>/dev/null | tail -n 1 | cut -d' ' -f3); if [ -z \"$s\" ]; then"
                    + " echo ActiveState=inactive; echo Result=success; echo ExecMainStatus=0; elif [ \"$s\" = 0 ]; then"
                    + " echo ActiveState=active; echo Result=success; echo ExecMainStatus=0; else echo ActiveState=failed;"
                    + " echo Result=exit-code; echo ExecMainStatus=$s; fi";
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
