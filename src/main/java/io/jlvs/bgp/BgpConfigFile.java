package io.jlvs.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code bgp_speaker} block of {@code jlvs director --bgp-config FILE}, in keepalived.conf's style:
 *
 * <pre>
 * # '#' or '!' starts a comment; a statement ends at the end of the line or at ';'
 * bgp_speaker {
 *     router_id 198.18.1.11           # BGP router id (IPv4)
 *     local_as 65001                  # this director's AS
 *     neighbor 198.18.1.1 65000       # a peer: address and AS (repeat for each router)
 *     neighbor 2001:db8::1 as 65000   # "as" may be written out
 *     withdraw_delay_ms 2000          # stopping: time between the withdrawal and the end of forwarding
 * }
 * </pre>
 * Every error names {@code file:line}; nothing is applied from a file with an error. Options given on the
 * command line win over the file's {@code router_id}, {@code local_as} and {@code withdraw_delay_ms};
 * peers from both are used.
 */
public final class BgpConfigFile {
    /** What a file (or the command line) said; null where it said nothing. */
    public record Partial(Inet4Address routerId, Long localAs, List<BgpPeer> peers, Long withdrawDelayMs) {
        public static final Partial NONE = new Partial(null, null, List.of(), null);

        public boolean empty() {
            return routerId == null && localAs == null && peers.isEmpty() && withdrawDelayMs == null;
        }

        /** {@code this} over {@code base}: single values from this when set, peers of both. */
        public Partial over(Partial base) {
            List<BgpPeer> all = new ArrayList<>(base.peers);
            all.addAll(peers);
            return new Partial(routerId != null ? routerId : base.routerId, localAs != null ? localAs : base.localAs,
                    all, withdrawDelayMs != null ? withdrawDelayMs : base.withdrawDelayMs);
        }

        /** The settings, or null when nothing about BGP was given; IllegalArgumentException when incomplete. */
        public BgpSettings settings() {
            if (empty()) {
                return null;
            }
            if (routerId == null) {
                throw new IllegalArgumentException("bgp: no router id (give --bgp-router-id ADDR or router_id)");
            }
            if (localAs == null) {
                throw new IllegalArgumentException("bgp: no local AS (give --bgp-local-as N or local_as)");
            }
            return new BgpSettings(routerId, localAs, peers,
                    withdrawDelayMs != null ? withdrawDelayMs : BgpSettings.DEFAULT_WITHDRAW_DELAY_MS);
        }
    }

    /** A file error: {@code file:line: message}. */
    public static final class ConfigException extends Exception {
        public ConfigException(String message) {
            super(message);
        }
    }

    private BgpConfigFile() {}

    public static Partial read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** One statement: its words and the line it starts on. */
    private record Statement(int line, List<String> words) {}

    public static Partial parse(String name, String text) throws ConfigException {
        List<Statement> statements = statements(text);
        Inet4Address routerId = null;
        Long localAs = null;
        Long delay = null;
        List<BgpPeer> peers = new ArrayList<>();
        boolean inBlock = false;
        boolean seenBlock = false;
        int blockLine = 0;
        for (Statement s : statements) {
            String where = name + ":" + s.line();
            List<String> w = s.words();
            String key = w.get(0);
            try {
                if (!inBlock) {
                    if (key.equals("bgp_speaker") && w.size() == 2 && w.get(1).equals("{")) {
                        if (seenBlock) {
                            throw new ConfigException(where + ": a second bgp_speaker block (there is one per director)");
                        }
                        inBlock = true;
                        seenBlock = true;
                        blockLine = s.line();
                        continue;
                    }
                    throw new ConfigException(where + ": expected 'bgp_speaker {', found: " + String.join(" ", w));
                }
                switch (key) {
                    case "}" -> {
                        arity(where, w, 1);
                        inBlock = false;
                    }
                    case "router_id" -> {
                        arity(where, w, 2);
                        routerId = BgpSettings.parseRouterId(w.get(1));
                    }
                    case "local_as" -> {
                        arity(where, w, 2);
                        localAs = BgpSettings.parseAs(w.get(1), "local_as");
                    }
                    case "neighbor" -> {
                        List<String> args = new ArrayList<>(w.subList(1, w.size()));
                        if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
                            args.remove(1);
                        }
                        if (args.size() != 2) {
                            throw new ConfigException(where + ": expected 'neighbor ADDR AS', found: " + String.join(" ", w));
                        }
                        BgpPeer p = new BgpPeer(BgpPeer.address(args.get(0), "neighbor"), BgpSettings.parseAs(args.get(1), "neighbor"));
                        if (peers.stream().anyMatch(q -> q.address().equals(p.address()))) {
                            throw new ConfigException(where + ": neighbor given twice: address=" + args.get(0));
                        }
                        peers.add(p);
                    }
                    case "withdraw_delay_ms" -> {
                        arity(where, w, 2);
                        try {
                            delay = Long.parseLong(w.get(1));
                        } catch (NumberFormatException e) {
                            throw new ConfigException(where + ": withdraw_delay_ms: not a number: " + w.get(1));
                        }
                        if (delay < 0 || delay > 600_000) {
                            throw new ConfigException(where + ": withdraw_delay_ms out of range 0..600000: " + delay);
                        }
                    }
                    default -> throw new ConfigException(where + ": unknown keyword in bgp_speaker: " + key);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": " + e.getMessage());
            }
        }
        if (inBlock) {
            throw new ConfigException(name + ":" + blockLine + ": bgp_speaker block not closed with '}'");
        }
        if (!seenBlock) {
            throw new ConfigException(name + ": no bgp_speaker block");
        }
        return new Partial(routerId, localAs, peers, delay);
    }

    private static void arity(String where, List<String> w, int n) throws ConfigException {
        if (w.size() != n) {
            throw new ConfigException(where + ": " + w.get(0) + " takes " + (n - 1) + " value(s), found: "
                    + String.join(" ", w));
        }
    }

    /** Splits into statements: words up to a newline or ';', '{' and '}' as words of their own. */
    private static List<Statement> statements(String text) {
        List<Statement> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int comment = indexOfAny(line, '#', '!');
            if (comment >= 0) {
                line = line.substring(0, comment);
            }
            line = line.replace("{", " { ").replace("}", " ; } ; ");
            for (String part : line.split(";")) {
                String[] words = part.strip().split("\\s+");
                if (words.length == 0 || words[0].isEmpty()) {
                    continue;
                }
                // "bgp_speaker { router_id X" on one line: the opening is a statement of its own
                List<String> cur = new ArrayList<>();
                for (String word : words) {
                    cur.add(word);
                    if (word.equals("{")) {
                        out.add(new Statement(i + 1, cur));
                        cur = new ArrayList<>();
                    }
                }
                if (!cur.isEmpty()) {
                    out.add(new Statement(i + 1, cur));
                }
            }
        }
        return out;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
