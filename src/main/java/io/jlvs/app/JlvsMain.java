package io.jlvs.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/jlvs}: the main command line. */
@Command(name = "jlvs", mixinStandardHelpOptions = true, versionProvider = JlvsMain.Version.class,
        description = "Linux Virtual Server in Java: a user-space IPVS director with ipvsadm and keepalived.",
        subcommands = {DirectorCommand.class, StatusCommand.class, DemoCommand.class, FwmarkCommand.class, LaddrCommand.class,
                MonitorCommand.class, UserCommand.class, RealserverCommand.class, DoctorCommand.class,
                ExplainCommand.class, KeepalivedCommand.class, DrainCommand.class,
                CommandLine.HelpCommand.class})
public final class JlvsMain implements Runnable {
    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new JlvsMain()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jlvs " + VERSION + " (IPVS 1.2.1 semantics, Java " + Runtime.version() + ")"};
        }
    }
}
