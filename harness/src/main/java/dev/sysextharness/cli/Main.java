package dev.sysextharness.cli;

import dev.sysextharness.flavor.ConfigException;
import dev.sysextharness.host.HarnessException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** sysext-harness: boots Kairos-layout nodes in QEMU and proves what systemd-sysext does on them. */
@Command(name = "sysext-harness", mixinStandardHelpOptions = true, version = "sysext-harness 0.1.0",
        description = "Boots Kairos-layout nodes in QEMU and proves what systemd-sysext does on them.",
        subcommands = {BuildCommand.class, DdiCommand.class, BootCommand.class, RunCommand.class, SelftestCommand.class, BenchCommand.class, SoakCommand.class, LintCommand.class, ListCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 a scenario failed, 2 usage or config error, 3 infrastructure failure."})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, given) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage().strip().lines().findFirst().orElse("")
                    + " (see " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.expandedArgs().contains("--debug");
            int code = ex instanceof ConfigException || ex instanceof IllegalArgumentException
                    ? ExitCodes.USAGE : ExitCodes.INFRASTRUCTURE;
            // one line: what went wrong and where; details (a serial tail, a build's last lines) only with --debug
            String message = ex.getMessage() == null ? ex.toString() : ex.getMessage().strip();
            commandLine.getErr().println("error: " + (debug ? message : message.lines().findFirst().orElse(message)));
            if (debug) {
                ex.printStackTrace(commandLine.getErr());
            }
            return code;
        });
        return cli.execute(args);
    }
}
