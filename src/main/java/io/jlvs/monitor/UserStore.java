package io.jlvs.monitor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The monitor's users file, one user a line: {@code name:role:hash} ({@link PasswordHasher} hash, role
 * {@code viewer} or {@code operator}); {@code #} starts a comment. {@code jlvs user add|del|passwd} writes
 * it (a new file, then an atomic rename, mode 0600); the monitor re-reads it when its modification time
 * changes, so a new user or password needs no restart.
 */
public final class UserStore {
    /** Where the users file lives unless {@code --users} says otherwise. */
    public static final Path DEFAULT_PATH = Path.of("/etc/jlvs/monitor-users");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    /** One user as the file holds it. */
    public record User(String name, Role role, String passwordHash) {}

    private final Path path;
    private Map<String, User> users = Map.of();
    private FileTime loadedMtime;

    public UserStore(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The user named so, from the file as it is now (re-read when it changed); empty when none. */
    public synchronized Optional<User> find(String name) throws IOException {
        refresh();
        return Optional.ofNullable(users.get(name));
    }

    public synchronized List<User> list() throws IOException {
        refresh();
        return List.copyOf(users.values());
    }

    /** Adds a user; refuses a name that exists. */
    public synchronized void add(String name, Role role, String passwordHash) throws IOException {
        requireName(name);
        Map<String, User> next = new LinkedHashMap<>(read());
        if (next.containsKey(name)) {
            throw new IllegalArgumentException("user exists: user=" + name);
        }
        next.put(name, new User(name, role, passwordHash));
        write(next);
    }

    /** Removes a user; refuses a name that does not exist. */
    public synchronized void delete(String name) throws IOException {
        Map<String, User> next = new LinkedHashMap<>(read());
        if (next.remove(name) == null) {
            throw new IllegalArgumentException("no such user: user=" + name);
        }
        write(next);
    }

    /** Replaces a user's password hash and, when {@code role} is not null, their role. */
    public synchronized void update(String name, Role role, String passwordHash) throws IOException {
        Map<String, User> next = new LinkedHashMap<>(read());
        User old = next.get(name);
        if (old == null) {
            throw new IllegalArgumentException("no such user: user=" + name);
        }
        next.put(name, new User(name, role == null ? old.role() : role,
                passwordHash == null ? old.passwordHash() : passwordHash));
        write(next);
    }

    private static void requireName(String name) {
        if (!validName(name)) {
            throw new IllegalArgumentException("user name must be 1-32 of [A-Za-z0-9_.-]: user=" + name);
        }
    }

    private void refresh() throws IOException {
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(path);
        } catch (NoSuchFileException e) {
            users = Map.of();
            loadedMtime = null;
            return;
        }
        if (!mtime.equals(loadedMtime)) {
            users = read();
            loadedMtime = mtime;
        }
    }

    private Map<String, User> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<String, User> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", 3);
            String where = path + ":" + (i + 1) + ": ";
            if (f.length != 3 || !validName(f[0])) {
                throw new IOException(where + "expected name:role:hash");
            }
            Role role;
            try {
                role = Role.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + e.getMessage());
            }
            if (!PasswordHasher.isWellFormed(f[2])) {
                throw new IOException(where + "malformed password hash for user " + f[0]);
            }
            out.put(f[0], new User(f[0], role, f[2]));
        }
        return out;
    }

    private void write(Map<String, User> next) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder("# jlvs monitor users: name:role:hash (managed by `jlvs user`)\n");
        List<User> sorted = new ArrayList<>(next.values());
        for (User u : sorted) {
            sb.append(u.name()).append(':').append(u.role().word()).append(':').append(u.passwordHash()).append('\n');
        }
        Path tmp = Files.createTempFile(dir, ".monitor-users", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        users = Map.copyOf(next);
        loadedMtime = null; // the next find() re-reads, whatever the clock's resolution
    }
}
