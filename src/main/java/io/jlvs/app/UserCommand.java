package io.jlvs.app;

import io.jlvs.monitor.PasswordHasher;
import io.jlvs.monitor.Role;
import io.jlvs.monitor.UserStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code jlvs user add|del|passwd|list}: the monitor's users file. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manages the monitor's users (salted PBKDF2 password hashes in the users file).",
        subcommands = {UserCommand.Add.class, UserCommand.Del.class, UserCommand.Passwd.class, UserCommand.ListUsers.class})
public final class UserCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs this command alone ({@code java -cp … io.jlvs.app.UserCommand ARGS}), as {@code jlvs user ARGS} does. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new UserCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every subcommand shares. */
    static class Common {
        @Option(names = "--users", defaultValue = "/etc/jlvs/monitor-users", paramLabel = "FILE",
                description = "Users file. Default: ${DEFAULT-VALUE}.")
        Path users;
    }

    /** Reads a new password: twice from the terminal, or one line from standard input. */
    static char[] readPassword(boolean fromStdin) throws IOException {
        char[] pw;
        if (fromStdin) {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            pw = line == null ? new char[0] : line.toCharArray();
        } else {
            Console console = System.console();
            if (console == null) {
                throw new IOException("no terminal to read the password from; use --password-stdin");
            }
            pw = console.readPassword("New password: ");
            char[] again = console.readPassword("Again: ");
            if (pw == null || again == null || !Arrays.equals(pw, again)) {
                throw new IOException("the passwords differ");
            }
            Arrays.fill(again, '\0');
        }
        if (pw.length < 8) {
            throw new IOException("the password must have at least 8 characters");
        }
        return pw;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a user.")
    static final class Add extends Common implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--role", defaultValue = "viewer", paramLabel = "viewer|operator",
                description = "viewer: read only; operator: may also change weights and quiesce. Default: ${DEFAULT-VALUE}.")
        String role;

        @Option(names = "--password-stdin", description = "Read the password from one line of standard input.")
        boolean stdin;

        @Override
        public Integer call() {
            try {
                Role r = Role.parse(role);
                char[] pw = readPassword(stdin);
                new UserStore(users).add(name, r, new PasswordHasher().hash(pw));
                Arrays.fill(pw, '\0');
                System.out.println("jlvs user: added " + name + " (" + r.word() + ") to " + users);
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("jlvs user add: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Deletes a user.")
    static final class Del extends Common implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try {
                new UserStore(users).delete(name);
                System.out.println("jlvs user: deleted " + name + " from " + users);
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("jlvs user del: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Sets a user's password (and, with --role, their role).")
    static final class Passwd extends Common implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--role", paramLabel = "viewer|operator", description = "Also change the role.")
        String role;

        @Option(names = "--password-stdin", description = "Read the password from one line of standard input.")
        boolean stdin;

        @Override
        public Integer call() {
            try {
                Role r = role == null ? null : Role.parse(role);
                UserStore store = new UserStore(users);
                if (store.find(name).isEmpty()) {
                    throw new IllegalArgumentException("no such user: user=" + name);
                }
                char[] pw = readPassword(stdin);
                store.update(name, r, new PasswordHasher().hash(pw));
                Arrays.fill(pw, '\0');
                System.out.println("jlvs user: new password for " + name);
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("jlvs user passwd: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists users and roles.")
    static final class ListUsers extends Common implements Callable<Integer> {
        @Override
        public Integer call() {
            try {
                for (UserStore.User u : new UserStore(users).list()) {
                    System.out.println(u.name() + " " + u.role().word());
                }
                return 0;
            } catch (IOException e) {
                System.err.println("jlvs user list: " + e.getMessage());
                return 1;
            }
        }
    }
}
