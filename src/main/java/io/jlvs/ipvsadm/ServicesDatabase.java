package io.jlvs.ipvsadm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The services database in /etc/services format ({@code name port/proto [aliases] [# comment]}), looked
 * up the way glibc's files backend does: the first matching line wins, names match the official name
 * or an alias, case-sensitively.
 */
public final class ServicesDatabase {
    private record Entry(String name, int port, String protocol, List<String> aliases) {}

    private final List<Entry> entries;

    private ServicesDatabase(List<Entry> entries) {
        this.entries = entries;
    }

    public static ServicesDatabase parse(String text) {
        List<Entry> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            String[] f = line.trim().split("[ \t\r]+");
            if (f.length < 2 || f[0].isEmpty()) {
                continue;
            }
            int slash = f[1].indexOf('/');
            if (slash <= 0) {
                continue;
            }
            int port = CNumbers.stringToNumber(f[1].substring(0, slash), 0, 65535);
            if (port < 0) {
                continue;
            }
            List<String> aliases = new ArrayList<>();
            for (int i = 2; i < f.length; i++) {
                aliases.add(f[i]);
            }
            out.add(new Entry(f[0], port, f[1].substring(slash + 1), List.copyOf(aliases)));
        }
        return new ServicesDatabase(List.copyOf(out));
    }

    /** Reads the file; a missing or unreadable file is an empty database, as for the C library. */
    public static ServicesDatabase load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return new ServicesDatabase(List.of());
        }
    }

    public int portOf(String name, String protocol) {
        for (Entry e : entries) {
            if (e.protocol.equals(protocol) && (e.name.equals(name) || e.aliases.contains(name))) {
                return e.port;
            }
        }
        return -1;
    }

    public String nameOf(int port, String protocol) {
        for (Entry e : entries) {
            if (e.port == port && e.protocol.equals(protocol)) {
                return e.name;
            }
        }
        return null;
    }
}
