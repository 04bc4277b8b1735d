package io.jlvs.system;

import io.jlvs.app.Testbed;
import io.jlvs.io.linux.Netlink;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.io.xdp.XdpProbe;
import io.jlvs.io.xdp.XdpTransport;
import io.jlvs.io.xdp.XskSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The AF_XDP transport on a veth pair between two namespaces this test makes ({@code <prefix>xa} holds
 * jlvs's side, {@code <prefix>xb} a peer speaking through the kernel): the steering program loads and
 * attaches, steered UDP frames arrive on the XSK (and never in A's kernel), are echoed back in place
 * through the TX ring, unsteered traffic (ICMP, another port) stays with the kernel, and detaching
 * leaves the link as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AfXdpSystemTest {
    private static final String A_IP = "198.18.5.1";
    private static final String B_IP = "198.18.5.2";
    private static final int PORT = 9999;
    private static final int VNET = 10;
    private static final int HEADROOM = 64;

    private final String prefix = Testbed.randomPrefix();
    private final String nsA = prefix + "xa";
    private final String nsB = prefix + "xb";
    private NetnsThread inA;
    private XdpTransport transport;
    private int ifindexA;

    @BeforeAll
    void build() throws Exception {
        SystemTestSupport.requireEnvironment();
        assumeTrue(XdpProbe.isAvailable(), "AF_XDP " + XdpProbe.describe());
        sh("ip", "netns", "add", nsA);
        sh("ip", "netns", "add", nsB);
        sh("ip", "-n", nsA, "link", "add", "xa0", "type", "veth", "peer", "name", "xb0", "netns", nsB);
        sh("ip", "-n", nsA, "addr", "add", A_IP + "/24", "dev", "xa0");
        sh("ip", "-n", nsB, "addr", "add", B_IP + "/24", "dev", "xb0");
        sh("ip", "-n", nsA, "link", "set", "xa0", "up");
        sh("ip", "-n", nsB, "link", "set", "xb0", "up");
        // B's kernel would leave UDP checksums partial for the veth (offload); AF_XDP carries no
        // "checksum partial" mark, so the echoed frame would fail B's check. A real NIC sends full sums.
        sh("ip", "netns", "exec", nsB, "ethtool", "-K", "xb0", "tx", "off");
        inA = new NetnsThread(nsA);
        ifindexA = inA.call(() -> {
            try (Netlink nl = Netlink.open()) {
                return nl.links().stream().filter(l -> l.name().equals("xa0")).findFirst().orElseThrow().ifindex();
            }
        });
    }

    @AfterAll
    void tearDown() throws Exception {
        if (transport != null && inA != null) {
            inA.call(() -> {
                transport.close();
                return null;
            });
        }
        if (inA != null) {
            inA.close();
        }
        for (String ns : List.of(nsA, nsB)) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns", ns))) {
                run("ip", "netns", "del", ns);
            }
        }
    }

    @Test
    @Order(1)
    void shouldAttachSteeringProgramWhenTransportOpens() throws Exception {
        transport = inA.call(() -> {
            XdpTransport t = XdpTransport.open(Map.of(ifindexA, "xa0"), XdpTransport.Options.defaults(
                    HEADROOM + VNET, VNET));
            t.steer(List.of(new SocketFilter.Match(false, ip(A_IP), 17, PORT)), Set.of(ip(A_IP)));
            return t;
        });
        String link = sh("ip", "-d", "-n", nsA, "link", "show", "xa0");
        assertThat(link).containsPattern("prog/xdp|xdpgeneric|xdp ");
        assertThat(transport.ports()).hasSize(1);
        assertThat(transport.ports().getFirst().mode()).isIn("drv", "skb");
    }

    @Test
    @Order(2)
    void shouldReceiveSteeredFramesAndEchoThemInPlaceWhenPeerSendsUdp() throws Exception {
        long noPortsBefore = udpNoPorts(nsA);
        Process peer = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-c", """
                import socket, time
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("%s", 40000)); s.settimeout(0.3)
                got = []
                for i in range(40):
                    if len(got) >= 5: break
                    s.sendto(b"jlvs-xdp-%%d" %% i, ("%s", %d))
                    try:
                        while True:
                            d, a = s.recvfrom(2048); got.append(d.decode())
                    except socket.timeout:
                        pass
                print("ECHOES", len(got), " ".join(got), flush=True)
                """.formatted(B_IP, A_IP, PORT)).redirectErrorStream(true).start();
        List<String> payloads = new ArrayList<>();
        List<Long> headrooms = new ArrayList<>();
        XskSocket.RxHandler echo = (umem, off, len, from) -> {
            // Ethernet 14 + IPv4 20 + UDP 8; payload after
            payloads.add(new String(umem.asSlice(off + 42, len - 42).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
            headrooms.add(off % XskSocket.FRAME_BYTES);
            swap(umem, off, off + 6, 6);        // MACs
            swap(umem, off + 26, off + 30, 4);  // IPv4 addresses (header checksum unchanged)
            swap(umem, off + 34, off + 36, 2);  // UDP ports (checksum unchanged)
            assertThat(transport.send(ifindexA, umem, off - VNET, len + VNET)).isEqualTo(XdpTransport.QUEUED);
        };
        inA.call(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (peer.isAlive() && System.nanoTime() < deadline) {
                if (transport.poll(echo, 64) == 0) {
                    Thread.sleep(1);
                }
                transport.flush();
            }
            return null;
        });
        assertThat(peer.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).as(out).contains("ECHOES 5");
        assertThat(payloads).hasSizeGreaterThanOrEqualTo(5).allMatch(p -> p.startsWith("jlvs-xdp-"));
        assertThat(headrooms).allMatch(h -> h >= HEADROOM + VNET);
        assertThat(udpNoPorts(nsA)).as("A's kernel never saw the steered datagrams").isEqualTo(noPortsBefore);
        XskSocket s = transport.sockets()[0];
        assertThat(s.txFrames()).isGreaterThanOrEqualTo(5);
        assertThat(s.freeChunks() + 0L).isPositive();
    }

    @Test
    @Order(3)
    void shouldAllocateNothingWhenReceivingAndEchoingInSteadyState() throws Exception {
        XskSocket.RxHandler echo = (umem, off, len, from) -> {
            swap(umem, off, off + 6, 6);
            swap(umem, off + 26, off + 30, 4);
            swap(umem, off + 34, off + 36, 2);
            transport.send(ifindexA, umem, off - VNET, len + VNET);
        };
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] result = inA.call(() -> {
            long[] r = new long[2];
            for (int round = 0; round < 2; round++) { // the first round warms up (class loading, linkage)
                Process peer = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-c",
                        "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                                + "[s.sendto(b'zero-alloc', ('" + A_IP + "', " + PORT + ")) for _ in range(300)]")
                        .redirectErrorStream(true).start();
                peer.waitFor(20, TimeUnit.SECONDS);
                long tid = Thread.currentThread().threadId();
                long before = mx.getThreadAllocatedBytes(tid);
                long frames = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < deadline) {
                    frames += transport.poll(echo, 64);
                    transport.flush();
                }
                r[0] = frames;
                r[1] = mx.getThreadAllocatedBytes(tid) - before;
            }
            return r;
        });
        assertThat(result[0]).as("frames in the measured round").isGreaterThanOrEqualTo(200);
        // a single allocation per frame would be ≥ 16 bytes × 200
        assertThat(result[1]).as("bytes allocated by the polling thread for " + result[0] + " frames")
                .isLessThan(1024);
    }

    @Test
    @Order(3)
    void shouldLeaveUnsteeredTrafficToKernelWhenAttached() throws Exception {
        long noPortsBefore = udpNoPorts(nsA);
        sendUdp(PORT - 1, 3);
        int[] seen = new int[1];
        inA.call(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < deadline) {
                seen[0] += transport.poll((u, o, l, f) -> { }, 64);
                Thread.sleep(5);
            }
            return null;
        });
        assertThat(seen[0]).isZero();
        assertThat(udpNoPorts(nsA)).isGreaterThan(noPortsBefore);
    }

    @Test
    @Order(4)
    void shouldDetachProgramWhenTransportCloses() throws Exception {
        inA.call(() -> {
            transport.close();
            return null;
        });
        transport = null;
        String link = sh("ip", "-d", "-n", nsA, "link", "show", "xa0");
        assertThat(link).doesNotContain("prog/xdp").doesNotContain("xdpgeneric");
        long noPortsBefore = udpNoPorts(nsA);
        sendUdp(PORT, 2);
        assertThat(udpNoPorts(nsA)).as("the formerly steered port reaches A's kernel again")
                .isEqualTo(noPortsBefore + 2);
    }

    private void sendUdp(int port, int count) throws Exception {
        sh("ip", "netns", "exec", nsB, "python3", "-c",
                "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                        + "[s.sendto(b'x', ('" + A_IP + "', " + port + ")) for _ in range(" + count + ")]");
        Thread.sleep(200);
    }

    private static void swap(MemorySegment seg, long a, long b, int n) {
        for (int i = 0; i < n; i++) {
            byte x = seg.get(JAVA_BYTE, a + i);
            seg.set(JAVA_BYTE, a + i, seg.get(JAVA_BYTE, b + i));
            seg.set(JAVA_BYTE, b + i, x);
        }
    }

    private static int ip(String dotted) throws IOException {
        byte[] b = java.net.InetAddress.getByName(dotted).getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private long udpNoPorts(String ns) throws Exception {
        String[] lines = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").lines()
                .filter(l -> l.startsWith("Udp:")).toArray(String[]::new);
        List<String> names = List.of(lines[0].split("\\s+"));
        return Long.parseLong(lines[1].split("\\s+")[names.indexOf("NoPorts")]);
    }

    private static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static void run(String... cmd) {
        try {
            sh(cmd);
        } catch (Exception e) {
            System.err.println(e.getMessage());
        }
    }
}
