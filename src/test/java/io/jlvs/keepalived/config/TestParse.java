package io.jlvs.keepalived.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Parses configuration text in a temporary directory with a fixed environment (host id {@code vm}, only root
 * as an account, interfaces lo and eth0), so results do not depend on the machine.
 */
final class TestParse {
    static final Accounts ROOT_ONLY = new Accounts() {
        @Override
        public int[] user(String name) {
            return name.equals("root") ? new int[] {0, 0} : null;
        }

        @Override
        public OptionalInt group(String name) {
            return name.equals("root") ? OptionalInt.of(0) : OptionalInt.empty();
        }
    };

    private TestParse() {}

    static ConfigLoader.Options options(Path dir, String file, boolean test) {
        return new ConfigLoader.Options(file, dir, test, "vm", ROOT_ONLY, 0, n -> Set.of("lo", "eth0").contains(n),
                n -> n.equals("lo"));
    }

    /** Writes {@code text} as {@code keepalived.conf} in {@code dir} and runs the {@code -t} load. */
    static ConfigLoader.Result test(Path dir, String text) {
        return load(dir, text, true);
    }

    static ConfigLoader.Result load(Path dir, String text, boolean test) {
        write(dir.resolve("keepalived.conf"), text);
        return ConfigLoader.load(options(dir, "keepalived.conf", test));
    }

    static void write(Path p, String text) {
        try {
            Files.createDirectories(p.toAbsolutePath().getParent());
            Files.writeString(p, text, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(ConfigLoader.Result r) {
        List<String> out = new ArrayList<>();
        for (Diagnostic d : r.diagnostics()) {
            out.add(d.text());
        }
        return out;
    }

    /** A virtual server 10.0.0.1:80 TCP rr NAT with the given VS lines and one real server 10.0.0.2:80 with RS lines. */
    static String vs(String vsLines, String rsLines) {
        return "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method NAT\n" + vsLines
                + "\n    real_server 10.0.0.2 80 {\n" + rsLines + "\n    }\n}\n";
    }
}
