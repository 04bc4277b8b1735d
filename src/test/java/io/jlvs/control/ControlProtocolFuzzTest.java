package io.jlvs.control;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.ipvsadm.IpvsadmMain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the control protocol (docs/fuzzing.md): request lines, one per input line,
 * through {@link ControlServer#dispatch} into one in-process {@link Ipvs}. Every line gets a response
 * that serialises, nothing escapes as an exception, and whatever the table became, {@code ipvsadm -Sn}
 * saves it and {@code ipvsadm -R} rebuilds the same table from that save.
 *
 * <p>Lines naming a host where an address goes are skipped: Jackson would resolve the name through DNS.
 */
class ControlProtocolFuzzTest {
    private static final int MAX_LINES = 32;

    static {
        Logger.getLogger("jlvs.control").setLevel(Level.OFF); // a refused op logs its stack trace
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries(tokens = {"\"op\"", "\"addService\"", "\"editService\"", "\"deleteService\"", "\"flush\"",
        "\"addDest\"", "\"editDest\"", "\"deleteDest\"", "\"services\"", "\"service\"", "\"zero\"", "\"timeouts\"",
        "\"setTimeouts\"", "\"connectionTable\"", "\"startDaemon\"", "\"stopDaemon\"", "\"daemons\"", "\"addMark\"",
        "\"deleteMark\"", "\"marks\"", "\"info\"", "\"key\"", "\"dest\"", "\"mark\"", "\"extra\"", "\"address\"",
        "\"port\"", "\"af\"", "\"protocol\"", "\"fwmark\"", "\"scheduler\"", "\"flags\"", "\"persistenceTimeoutS\"",
        "\"netmask\"", "\"persistenceEngine\"", "\"method\"", "\"weight\"", "\"upperThreshold\"", "\"lowerThreshold\"",
        "\"tunnelType\"", "\"tunnelPort\"", "\"tunnelFlags\"", "\"TCP\"", "\"UDP\"", "\"SCTP\"", "\"MASQ\"", "\"DROUTE\"",
        "\"TUNNEL\"", "\"FULLNAT\"", "\"2001:db8::1\"", "\"10.0.0.1\"", "\"prefixLength\"", "\"portLow\"", "\"portHigh\"",
        "\"tcpSec\"", "\"tcpfinSec\"", "\"udpSec\"", "\"state\"", "\"master\"", "\"backup\"", "\"syncId\""})
    void fuzzDispatch(byte[] input) throws IOException {
        Ipvs ipvs = new Ipvs();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", MAX_LINES + 1);
        for (int i = 0; i < Math.min(lines.length, MAX_LINES); i++) {
            if (namesHost(lines[i])) {
                continue;
            }
            ControlProtocol.Response r = ControlServer.dispatch(ipvs, Map.of(), lines[i]);
            assertThat(r).isNotNull();
            assertThat(ControlProtocol.JSON.writeValueAsString(r)).isNotEmpty();
            if (!r.ok()) {
                assertThat(Errno.valueOf(r.errno())).isNotNull(); // an errno ipvsadm knows
            }
        }
        String saved = ipvsadm(ipvs, "", "-S", "-n");
        Ipvs rebuilt = new Ipvs();
        ipvsadm(rebuilt, saved, "-R");
        assertThat(ipvsadm(rebuilt, "", "-S", "-n")).as("table rebuilt from\n%s", saved).isEqualTo(saved);
    }

    /** Runs ipvsadm against {@code ipvs}; it must succeed. Returns what it printed. */
    static String ipvsadm(Ipvs ipvs, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IpvsadmMain.run("ipvsadm", args, ipvs, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as("ipvsadm %s (input:\n%s) said: %s", String.join(" ", args), stdin,
                err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** True when the line is JSON with an "address" that is not a literal (Jackson would look it up). */
    static boolean namesHost(String line) {
        JsonNode tree;
        try {
            tree = ControlProtocol.JSON.readTree(line);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return tree != null && namesHost(tree);
    }

    private static boolean namesHost(JsonNode n) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isValueNode() && !v.isNull() && !literal(v.asText()) && e.getKey().equals("address")) {
                    return true;
                }
                if (namesHost(v)) {
                    return true;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode v : n) {
                if (namesHost(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean literal(String s) {
        if (s.isEmpty()) {
            return true;
        }
        try {
            InetAddress.ofLiteral(s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
