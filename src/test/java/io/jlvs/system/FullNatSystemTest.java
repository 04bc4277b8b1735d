package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FULLNAT end to end: the real servers see connections from the director's local address (they need
 * neither the VIP nor a route back through the director), and the client's address arrives in the TOA
 * option — checked by a packet capture inside the real server's namespace.
 */
class FullNatSystemTest extends ForwardingSystemTestBase {
    static final String LADDR = "198.19.0.100";

    @Override
    String methodOption() {
        return "--fullnat";
    }

    @Override
    String methodListName() {
        return "FullNat";
    }

    @BeforeAll
    void addLocalAddress() {
        Testbed.Result r = bed.jlvs("laddr", "add", "-t", SERVICE, "-z", LADDR);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** Captures, in rs1's namespace, the first TCP segment to port 80 that carries a TOA option. */
    static final String CAPTURE = """
            import socket, struct, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.settimeout(15)
            while True:
                f = s.recv(65535)
                if len(f) < 54 or f[12:14] != b'\\x08\\x00' or f[23] != 6:
                    continue
                ihl = (f[14] & 15) * 4
                t = 14 + ihl
                if struct.unpack('!H', f[t+2:t+4])[0] != 80:
                    continue
                src = socket.inet_ntoa(f[26:30])
                doff = (f[t+12] >> 4) * 4
                opts = f[t+20:t+doff]
                i = 0
                while i < len(opts):
                    k = opts[i]
                    if k == 0: break
                    if k == 1: i += 1; continue
                    l = opts[i+1]
                    if k == 254 and l == 8:
                        port = struct.unpack('!H', opts[i+2:i+4])[0]
                        print("src=%s toa=%s:%d" % (src, socket.inet_ntoa(opts[i+4:i+8]), port)); sys.exit(0)
                    i += max(l, 2)
            """;

    @Test
    @Order(2)
    void shouldShowLocalAddressAndCarryClientInToaWhenRealServerCaptures() throws Exception {
        Path script = bed.runDir().resolve("toa-capture.py");
        Files.writeString(script, CAPTURE);
        Process capture = bed.startInBackground(bed.rs1(), "python3", script.toString());
        try {
            Thread.sleep(500); // let the capture socket open before the traffic
            for (int i = 0; i < 4; i++) { // round robin: at least two of these reach rs1
                bed.curl(URL);
            }
            assertThat(capture.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String line = bed.logTail(capture, 5);
            System.out.println("[FullNatSystemTest] rs1 capture: " + line.strip());
            assertThat(line).contains("src=" + LADDR).contains("toa=" + Testbed.CLIENT_IP + ":");
        } finally {
            bed.stop(capture);
        }
    }
}
