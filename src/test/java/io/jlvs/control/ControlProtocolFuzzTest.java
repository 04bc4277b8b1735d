package io.jlvs.control;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.ipvsadm.IpvsadmMain;
import org.junit.jupiter.api.Test;

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
 * saves it and {@code ipvsadm -R} reads that save back without crashing (when it restores it, save and
 * restore are a fixed point from then on).
 *
 * <p>Lines naming a host where an address goes are skipped: Jackson would resolve the name through DNS.
 */
class ControlProtocolFuzzTest {
    private static final int MAX_LINES = 32;

    /** Held, so that the level stays set: a refused op logs its stack trace. */
    private static final Logger QUIET = Logger.getLogger("jlvs.control");

    static {
        QUIET.setLevel(Level.OFF);
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"\"op\"", "\"addService\"", "\"editService\"", "\"deleteService\"", "\"flush\"",
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
        // A table made through the API, as one made through the kernel's netlink, can hold what ipvsadm cannot
        // say or read back (a DR real server's own port, a weight above 65535), so the save must succeed and
        // its restore must not fail other than by ipvsadm's own refusals; a restore that succeeds is a fixed point.
        String saved = ipvsadm(ipvs, "", "-S", "-n");
        Ipvs rebuilt = new Ipvs();
        if (restore(rebuilt, saved) == 0) {
            String once = ipvsadm(rebuilt, "", "-S", "-n");
            Ipvs again = new Ipvs();
            assertThat(restore(again, once)).as("restoring\n%s", once).isZero();
            assertThat(ipvsadm(again, "", "-S", "-n")).as("table rebuilt from\n%s", once).isEqualTo(once);
        }
    }

    private static int restore(Ipvs ipvs, String saved) {
        return run(ipvs, saved, new ByteArrayOutputStream(), new ByteArrayOutputStream(), "-R");
    }

    /** Finding finding-service-af-4: a service of address family 4 was taken, then saved as "[10.0.0.1]:80". */
    @Test
    void shouldRefuseServiceWhenAddressFamilyIsNeitherInetNorInet6() {
        Ipvs ipvs = new Ipvs();

        ControlProtocol.Response bad = ControlServer.dispatch(ipvs, Map.of(), "{\"op\":\"addService\",\"service\":"
                + "{\"key\":{\"af\":4,\"protocol\":\"TCP\",\"address\":\"10.0.0.1\",\"port\":80,\"fwmark\":0},"
                + "\"scheduler\":\"wrr\",\"flags\":0,\"persistenceTimeoutS\":0,\"netmask\":-1}}");
        ControlProtocol.Response mismatch = ControlServer.dispatch(ipvs, Map.of(), "{\"op\":\"addService\",\"service\":"
                + "{\"key\":{\"af\":10,\"protocol\":\"TCP\",\"address\":\"10.0.0.1\",\"port\":80,\"fwmark\":0},"
                + "\"scheduler\":\"wrr\",\"flags\":0,\"persistenceTimeoutS\":0,\"netmask\":-1}}");

        assertThat(bad.errno()).isEqualTo("EAFNOSUPPORT");
        assertThat(mismatch.errno()).isEqualTo("EINVAL");
        assertThat(ipvs.services()).isEmpty();
    }

    /** Finding finding-dest-without-method: a real server with no forwarding method was taken; -L then threw. */
    @Test
    void shouldRefuseRealServerWhenMethodOrAddressIsMissing() {
        Ipvs ipvs = new Ipvs();
        String key = "{\"af\":2,\"protocol\":\"TCP\",\"address\":\"10.0.0.1\",\"port\":80,\"fwmark\":0}";
        ControlServer.dispatch(ipvs, Map.of(), "{\"op\":\"addService\",\"service\":{\"key\":" + key
                + ",\"scheduler\":\"wrr\",\"flags\":0,\"persistenceTimeoutS\":0,\"netmask\":-1}}");

        ControlProtocol.Response noMethod = ControlServer.dispatch(ipvs, Map.of(), "{\"op\":\"addDest\",\"key\":" + key
                + ",\"dest\":{\"address\":\"10.0.0.2\",\"port\":8080,\"weight\":3}}");
        ControlProtocol.Response noAddress = ControlServer.dispatch(ipvs, Map.of(), "{\"op\":\"addDest\",\"key\":" + key
                + ",\"dest\":{\"port\":8080,\"method\":\"MASQ\",\"weight\":3}}");

        assertThat(noMethod.errno()).isEqualTo("EINVAL");
        assertThat(noAddress.errno()).isEqualTo("EINVAL");
        assertThat(ipvs.services().getFirst().dests()).isEmpty();
        assertThat(ipvsadm(ipvs, "", "-L", "-n")).contains("TCP  10.0.0.1:80 wrr");
    }

    /** Runs ipvsadm against {@code ipvs}; it must succeed. Returns what it printed. */
    static String ipvsadm(Ipvs ipvs, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = run(ipvs, stdin, out, err, args);
        assertThat(status).as("ipvsadm %s (input:\n%s) said: %s", String.join(" ", args), stdin,
                err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int run(Ipvs ipvs, String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err,
                           String... args) {
        int status = IpvsadmMain.run("ipvsadm", args, ipvs, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isIn(0, 1, 2, 255);
        return status;
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
