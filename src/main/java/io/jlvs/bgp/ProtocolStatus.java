package io.jlvs.bgp;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of BIRD's {@code show protocols}: {@code name proto table state since info}. The director's
 * configuration sets a one-token time format, so the columns split on blanks.
 *
 * @param info for BGP the session state ("Established", "Active", "Connect", …) and maybe the last error
 */
public record ProtocolStatus(String name, String protocol, String state, String info) {
    /** A BGP session that exchanges routes. */
    public boolean established() {
        return protocol.equals("BGP") && info.startsWith("Established");
    }

    static List<ProtocolStatus> parse(List<String> lines) {
        List<ProtocolStatus> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.strip().split("\\s+", 6);
            if (f.length < 4 || f[0].equals("Name")) {
                continue;
            }
            out.add(new ProtocolStatus(f[0], f[1], f[3], f.length == 6 ? f[5].strip() : ""));
        }
        return out;
    }
}
