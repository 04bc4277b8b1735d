package io.jlvs.keepalived.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * User and group lookup for script accounts ({@code getpwnam}/{@code getgrnam}), read from /etc/passwd and
 * /etc/group: keepalived checks the accounts named by {@code script_user} and MISC_CHECK {@code user}, and
 * falls back to {@code keepalived_script} when it exists.
 */
public interface Accounts {
    /** The user's uid and primary gid, or empty when there is no such user. */
    int[] user(String name);

    OptionalInt group(String name);

    /** The system's accounts, from /etc/passwd and /etc/group. */
    Accounts SYSTEM = new Accounts() {
        @Override
        public int[] user(String name) {
            for (String[] f : read(Path.of("/etc/passwd"))) {
                if (f.length >= 4 && f[0].equals(name)) {
                    try {
                        return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        }

        @Override
        public OptionalInt group(String name) {
            for (String[] f : read(Path.of("/etc/group"))) {
                if (f.length >= 3 && f[0].equals(name)) {
                    try {
                        return OptionalInt.of(Integer.parseInt(f[2]));
                    } catch (NumberFormatException e) {
                        return OptionalInt.empty();
                    }
                }
            }
            return OptionalInt.empty();
        }

        private List<String[]> read(Path p) {
            try {
                return Files.readAllLines(p, StandardCharsets.ISO_8859_1).stream().map(l -> l.split(":", -1)).toList();
            } catch (IOException e) {
                return List.of();
            }
        }
    };
}
