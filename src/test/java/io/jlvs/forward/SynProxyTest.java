package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpOptions;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.jlvs.forward.ForwarderTest.CL;
import static io.jlvs.forward.ForwarderTest.CL_MAC;
import static io.jlvs.forward.ForwarderTest.ETH0;
import static io.jlvs.forward.ForwarderTest.ETH1;
import static io.jlvs.forward.ForwarderTest.LB_CMAC;
import static io.jlvs.forward.ForwarderTest.LB_SMAC;
import static io.jlvs.forward.ForwarderTest.RS1;
import static io.jlvs.forward.ForwarderTest.RS1_MAC;
import static io.jlvs.forward.ForwarderTest.VIP;
import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SYN proxy through the real pipeline: one NAT (or FULLNAT) real server, frames in, frames out, every
 * sequence number and checksum checked. Client ISN {@value #CLIENT_ISN}, real server ISN {@value #SERVER_ISN}.
 */
class SynProxyTest {
    static final long T0_MS = 5_000_000;
    static final int CLIENT_ISN = 1000;
    static final int SERVER_ISN = 777_000_000;
    static final String LADDR = "198.19.0.100";
    /** MSS 1460, SACK permitted, timestamps, window scale 6: what a Linux client sends. */
    static final byte[] LINUX_SYN_OPTIONS = {2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 6};

    record Sent(int ifindex, byte[] bytes) {
        MemorySegment seg() {
            return MemorySegment.ofArray(bytes);
        }

        Ipv4View ip() {
            return new Ipv4View().wrap(seg(), 24);
        }

        TcpView tcp() {
            return new TcpView().wrap(seg(), 24 + ip().headerLength());
        }

        String payload() {
            int from = 24 + ip().headerLength() + tcp().headerLength();
            return new String(bytes, from, 24 + ip().totalLength() - from, StandardCharsets.ISO_8859_1);
        }

        boolean checksumsValid() {
            Ipv4View ip = ip();
            return ip.headerChecksumValid() && Checksum.l4Ipv4Valid(seg(), 24 + ip.headerLength(),
                    ip.totalLength() - ip.headerLength(), ip.srcAddr(), ip.dstAddr(), Ipv4View.PROTO_TCP);
        }
    }

    final List<Sent> sent = new ArrayList<>();
    final Arena arena = Arena.ofConfined();
    ConnectionTable conns;
    WorkerCounters counters;
    Forwarder forwarder;

    @BeforeEach
    void setUp() {
        conns = new ConnectionTable(64, 64, 100, 1024, 42);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        forwarder.synGuard(new SynFloodGuard(8, 2, 3_000, 60_000, 7, counters));
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }

    void configure(int method, SynProxy.Mode mode) {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 8080, method, 1, 0, 0, ETH1, ip(RS1));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, 0, 0, -1, SchedulerRegistry.byName("rr"),
                new DestRuntime[] {rs1}, method == ConnectionFlags.FWD_FULLNAT ? new int[] {ip(LADDR)} : new int[0]);
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        forwarder.synProxy().mode(mode);
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1, T0_MS);
        sent.clear();
    }

    int process(PacketBuilder frame, int ifindex, long nowMs) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 128);
        seg.asSlice(64, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return forwarder.process(seg, 64 + 10, bytes.length - 10, bytes.length - 10, ifindex, nowMs);
    }

    static PacketBuilder fromClient(int flags, int seq, int ack) {
        return fromClient(40000, flags, seq, ack);
    }

    static PacketBuilder fromClient(int port, int flags, int seq, int ack) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(7).df(true)
                .tcp(port, 80).flags(flags).seq(seq).ack(ack).window(502);
    }

    /** The real server's segment to the client (NAT: to the client's address; FULLNAT: to laddr:lport). */
    static PacketBuilder fromServer(String dst, int dport, int flags, int seq, int ack) {
        return PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv4(RS1, dst).ttl(64).id(9).df(true)
                .tcp(8080, dport).flags(flags).seq(seq).ack(ack).window(509);
    }

    /** Client SYN → the director's SYN-ACK; returns its cookie. */
    int handshakeWithDirector() {
        int verdict = process(fromClient(TcpView.SYN, CLIENT_ISN, 0).window(64240).tcpOptions(LINUX_SYN_OPTIONS),
                ETH0, T0_MS);
        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        Sent synAck = sent.getLast();
        sent.clear();
        return synAck.tcp().seq();
    }

    static byte[] serverSynOptions(int windowScale) {
        return new byte[] {2, 4, 0x05, (byte) 0xb4, 1, 1, 4, 2, 1, 3, 3, (byte) windowScale};
    }

    @Test
    void shouldAnswerSynWithCookieAndKeepNoStateWhenAlways() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);

        int verdict = process(fromClient(TcpView.SYN, CLIENT_ISN, 0).window(64240).tcpOptions(LINUX_SYN_OPTIONS),
                ETH0, T0_MS);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertThat(sent).hasSize(1);
        Sent synAck = sent.getFirst();
        assertThat(synAck.ifindex()).isEqualTo(ETH0);
        long dstMac = synAck.seg().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10) >>> 16;
        assertThat(dstMac).isEqualTo(mac(CL_MAC));
        assertThat(synAck.ip().srcAddr()).isEqualTo(ip(VIP));
        assertThat(synAck.ip().dstAddr()).isEqualTo(ip(CL));
        TcpView t = synAck.tcp();
        assertThat(t.srcPort()).isEqualTo(80);
        assertThat(t.dstPort()).isEqualTo(40000);
        assertThat(t.flags()).isEqualTo(TcpView.SYN | TcpView.ACK);
        assertThat(t.ack()).isEqualTo(CLIENT_ISN + 1);
        int options = TcpOptions.parseSyn(synAck.seg(), t.offset(), t.headerLength());
        assertThat(TcpOptions.mss(options)).isEqualTo(1460);
        assertThat(TcpOptions.sackPermitted(options)).isTrue();
        assertThat(TcpOptions.windowScale(options)).isEqualTo(SynProxy.WINDOW_SCALE);
        assertThat(synAck.checksumsValid()).isTrue();
        assertThat(conns.size()).as("a SYN costs no entry").isZero();
        assertThat(counters.total(WorkerCounters.SYN_PROXY_COOKIES)).isEqualTo(1);
    }

    @Test
    void shouldSendClientsSynToRealServerWhenCookieAckArrives() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();

        int verdict = process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent).hasSize(1);
        Sent syn = sent.getFirst();
        assertThat(syn.ifindex()).isEqualTo(ETH1);
        assertThat(syn.ip().srcAddr()).isEqualTo(ip(CL));
        assertThat(syn.ip().dstAddr()).isEqualTo(ip(RS1));
        TcpView t = syn.tcp();
        assertThat(t.dstPort()).isEqualTo(8080);
        assertThat(t.flags()).isEqualTo(TcpView.SYN);
        assertThat(t.seq()).isEqualTo(CLIENT_ISN);
        assertThat(t.window()).isEqualTo(502 << 6);
        int options = TcpOptions.parseSyn(syn.seg(), t.offset(), t.headerLength());
        assertThat(TcpOptions.mss(options)).isEqualTo(1460);
        assertThat(TcpOptions.sackPermitted(options)).isTrue();
        assertThat(TcpOptions.windowScale(options)).as("the client's own scale").isEqualTo(6);
        assertThat(syn.checksumsValid()).isTrue();
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(slot).isNotNegative();
        assertThat(conns.flags(slot) & SynProxy.AWAIT).isNotZero();
        assertThat(counters.total(WorkerCounters.SYN_PROXY_OPENED)).isEqualTo(1);
    }

    @Test
    void shouldDropAckWithForgedCookie() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();

        int verdict = process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 2), ETH0, T0_MS + 1);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(sent).isEmpty();
        assertThat(conns.size()).isZero();
        assertThat(counters.drops(DropReason.SYN_COOKIE_INVALID)).isEqualTo(1);
    }

    @Test
    void shouldShiftSequenceNumbersBothWaysAndHoldEarlyDataWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();
        // the client's ACK and its request right behind it, before the real server answers
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        int held = process(fromClient(TcpView.ACK | TcpView.PSH, CLIENT_ISN + 1, cookie + 1).payload("GET / HTTP/1.1\r\n\r\n"),
                ETH0, T0_MS + 1);
        assertThat(held).isEqualTo(Forwarder.HELD);
        sent.clear();

        int verdict = process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(SynProxy.WINDOW_SCALE)), ETH1, T0_MS + 2);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent).as("the handshake's ACK, then the held request; nothing to the client").hasSize(2);
        Sent ack = sent.get(0);
        assertThat(ack.ifindex()).isEqualTo(ETH1);
        assertThat(ack.tcp().flags()).isEqualTo(TcpView.ACK);
        assertThat(ack.tcp().seq()).isEqualTo(CLIENT_ISN + 1);
        assertThat(ack.tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(ack.checksumsValid()).isTrue();
        Sent request = sent.get(1);
        assertThat(request.ifindex()).isEqualTo(ETH1);
        assertThat(request.ip().dstAddr()).isEqualTo(ip(RS1));
        assertThat(request.tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(request.payload()).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        assertThat(request.checksumsValid()).isTrue();
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.state(slot)).isEqualTo(TcpState.ESTABLISHED);
        sent.clear();

        process(fromServer(CL, 40000, TcpView.ACK | TcpView.PSH, SERVER_ISN + 1, CLIENT_ISN + 19).payload("HTTP/1.1 200 OK\r\n"),
                ETH1, T0_MS + 3);

        assertThat(sent).hasSize(1);
        Sent reply = sent.getFirst();
        assertThat(reply.ifindex()).isEqualTo(ETH0);
        assertThat(reply.ip().srcAddr()).isEqualTo(ip(VIP));
        assertThat(reply.tcp().srcPort()).isEqualTo(80);
        assertThat(reply.tcp().seq()).as("in the numbers the client knows").isEqualTo(cookie + 1);
        assertThat(reply.tcp().ack()).isEqualTo(CLIENT_ISN + 19);
        assertThat(reply.tcp().window()).as("same scale both sides: unchanged").isEqualTo(509);
        assertThat(reply.checksumsValid()).isTrue();
        assertThat(counters.drops(DropReason.SYN_PROXY_WAIT)).isZero();
    }

    @Test
    void shouldRescaleWindowsAndShiftSackEdgesWhenServerChoosesAnotherScale() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(9)), ETH1, T0_MS + 2);
        sent.clear();

        process(fromServer(CL, 40000, TcpView.ACK, SERVER_ISN + 1, CLIENT_ISN + 1).window(100), ETH1, T0_MS + 3);
        int sackLeft = cookie + 1001;
        int sackRight = cookie + 2001;
        byte[] sack = {1, 1, 5, 10, (byte) (sackLeft >>> 24), (byte) (sackLeft >>> 16), (byte) (sackLeft >>> 8),
                (byte) sackLeft, (byte) (sackRight >>> 24), (byte) (sackRight >>> 16), (byte) (sackRight >>> 8),
                (byte) sackRight};
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1).tcpOptions(sack), ETH0, T0_MS + 4);

        Sent toClient = sent.get(0);
        assertThat(toClient.tcp().window()).as("100 << 9 >> 7").isEqualTo(400);
        assertThat(toClient.checksumsValid()).isTrue();
        Sent toServer = sent.get(1);
        MemorySegment s = toServer.seg();
        long edges = toServer.tcp().offset() + 24;
        ValueLayout.OfInt netInt = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        assertThat(s.get(netInt, edges)).isEqualTo(SERVER_ISN + 1001);
        assertThat(s.get(netInt, edges + 4)).isEqualTo(SERVER_ISN + 2001);
        assertThat(toServer.tcp().window()).as("both scale: the client's field goes as is").isEqualTo(502);
        assertThat(toServer.checksumsValid()).isTrue();
    }

    @Test
    void shouldPassServersResetToClientAtSequenceItExpects() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        sent.clear();

        process(fromServer(CL, 40000, TcpView.RST | TcpView.ACK, 0, CLIENT_ISN + 1), ETH1, T0_MS + 2);

        assertThat(sent).hasSize(1);
        Sent rst = sent.getFirst();
        assertThat(rst.ifindex()).isEqualTo(ETH0);
        assertThat(rst.tcp().flags() & TcpView.RST).isNotZero();
        assertThat(rst.tcp().seq()).isEqualTo(cookie + 1);
        assertThat(rst.checksumsValid()).isTrue();
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.state(slot)).isEqualTo(TcpState.CLOSE);
    }

    @Test
    void shouldResetServersOldConnectionAndSynAgainWhenServerAnswersSynWithAck() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        sent.clear();

        // the real server's TIME_WAIT of an older connection from this client port answers with its ACK
        int verdict = process(fromServer(CL, 40000, TcpView.ACK, 555, 999_999), ETH1, T0_MS + 2);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertThat(sent).hasSize(2);
        Sent rst = sent.get(0);
        assertThat(rst.ifindex()).isEqualTo(ETH1);
        assertThat(rst.ip().srcAddr()).isEqualTo(ip(CL));
        assertThat(rst.ip().dstAddr()).isEqualTo(ip(RS1));
        assertThat(rst.tcp().dstPort()).isEqualTo(8080);
        assertThat(rst.tcp().flags()).isEqualTo(TcpView.RST);
        assertThat(rst.tcp().seq()).isEqualTo(999_999);
        assertThat(rst.checksumsValid()).isTrue();
        Sent syn = sent.get(1);
        assertThat(syn.tcp().flags()).isEqualTo(TcpView.SYN);
        assertThat(syn.tcp().seq()).isEqualTo(CLIENT_ISN);
        assertThat(syn.ip().dstAddr()).isEqualTo(ip(RS1));
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.flags(slot) & SynProxy.AWAIT).as("still waiting for the real server").isNotZero();
    }

    @Test
    void shouldAckAgainWhenServerRepeatsSynAck() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        int cookie = handshakeWithDirector();
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(7)), ETH1, T0_MS + 2);
        sent.clear();

        int verdict = process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(7)), ETH1, T0_MS + 1_000);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH1);
        assertThat(sent.getFirst().tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(sent.getFirst().tcp().seq()).isEqualTo(CLIENT_ISN + 1);
    }

    @Test
    void shouldSyncProxiedConnectionWithItsShiftAndShiftOnBackup() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);
        io.jlvs.sync.SyncRing ring = new io.jlvs.sync.SyncRing(64);
        forwarder.syncTo(ring);
        int cookie = handshakeWithDirector();
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(SynProxy.WINDOW_SCALE)), ETH1, T0_MS + 2);
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 2); // IPVS syncs at the 3rd packet
        List<io.jlvs.sync.SyncEntry> out = new ArrayList<>();
        ring.drain(out::add, 64);
        io.jlvs.sync.SyncEntry synced = out.stream().filter(e -> e.state() == TcpState.ESTABLISHED).findFirst()
                .orElseThrow();
        assertThat(synced.flags() & ConnectionFlags.OUT_SEQ).isNotZero();
        assertThat(synced.flags() & SynProxy.FLAGS).as("jlvs's own flags stay home").isZero();
        assertThat(synced.outSeqDelta()).as("kernel out_seq: client seq = server seq + delta")
                .isEqualTo(cookie - SERVER_ISN);
        ring.close();

        // a backup (another forwarder) installs it and carries on after a failover
        Forwarder master = forwarder;
        ConnectionTable backupConns = new ConnectionTable(64, 64, 100, 1024, 43);
        forwarder = new Forwarder(backupConns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        try {
            configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.PRESSURE);
            forwarder.install(synced, T0_MS + 3);
            sent.clear();

            process(fromClient(TcpView.ACK | TcpView.PSH, CLIENT_ISN + 1, cookie + 1).payload("GET"), ETH0, T0_MS + 4);
            process(fromServer(CL, 40000, TcpView.ACK, SERVER_ISN + 1, CLIENT_ISN + 4).payload("200"), ETH1, T0_MS + 5);

            assertThat(sent).hasSize(2);
            assertThat(sent.get(0).ifindex()).isEqualTo(ETH1);
            assertThat(sent.get(0).tcp().ack()).as("the client's ack, shifted on the backup").isEqualTo(SERVER_ISN + 1);
            assertThat(sent.get(0).checksumsValid()).isTrue();
            assertThat(sent.get(1).ifindex()).isEqualTo(ETH0);
            assertThat(sent.get(1).tcp().seq()).as("the server's seq, shifted on the backup").isEqualTo(cookie + 1);
            assertThat(sent.get(1).checksumsValid()).isTrue();
        } finally {
            forwarder.close();
            backupConns.close();
            forwarder = master;
        }
    }

    @Test
    void shouldProxyOnlyUnderPressureByDefault() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.PRESSURE);

        int calm = process(fromClient(TcpView.SYN, CLIENT_ISN, 0), ETH0, T0_MS);
        assertThat(calm).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent.getLast().ifindex()).as("no pressure: the real server answers").isEqualTo(ETH1);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.19.200.1", VIP).ttl(64).id(7)
                .tcp(1111, 80).flags(TcpView.SYN).seq(5), ETH0, T0_MS); // a second half-open entry: pressure
        sent.clear();

        int flooded = process(fromClient(40001, TcpView.SYN, CLIENT_ISN, 0), ETH0, T0_MS + 1);

        assertThat(flooded).isEqualTo(Forwarder.ANSWERED);
        assertThat(sent.getLast().ifindex()).isEqualTo(ETH0);
        assertThat(sent.getLast().tcp().flags()).isEqualTo(TcpView.SYN | TcpView.ACK);
    }

    @Test
    void shouldCarryToaInHandshakeAckAndLowerMssWhenFullNat() {
        configure(ConnectionFlags.FWD_FULLNAT, SynProxy.Mode.ALWAYS);
        process(fromClient(TcpView.SYN, CLIENT_ISN, 0).window(64240).tcpOptions(LINUX_SYN_OPTIONS), ETH0, T0_MS);
        Sent synAck = sent.getLast();
        int cookie = synAck.tcp().seq();
        assertThat(TcpOptions.mss(TcpOptions.parseSyn(synAck.seg(), synAck.tcp().offset(), synAck.tcp().headerLength())))
                .isEqualTo(1460 - FullNatXmit.TOA_LENGTH);
        process(fromClient(TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        Sent syn = sent.getLast();
        assertThat(syn.ip().srcAddr()).isEqualTo(ip(LADDR));
        int lport = syn.tcp().srcPort();
        sent.clear();

        process(fromServer(LADDR, lport, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(serverSynOptions(7)), ETH1, T0_MS + 2);

        assertThat(sent).hasSize(1);
        Sent ack = sent.getFirst();
        assertThat(ack.ip().srcAddr()).isEqualTo(ip(LADDR));
        assertThat(ack.tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(ack.tcp().headerLength()).as("TOA inserted").isEqualTo(28);
        MemorySegment s = ack.seg();
        long toa = ack.tcp().offset() + 20;
        assertThat(Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, toa))).isEqualTo(FullNatXmit.TOA_KIND);
        assertThat(s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), toa + 4)).isEqualTo(ip(CL));
        assertThat(ack.checksumsValid()).isTrue();
        sent.clear();

        process(fromServer(LADDR, lport, TcpView.ACK, SERVER_ISN + 1, CLIENT_ISN + 1).payload("hi"), ETH1, T0_MS + 3);

        Sent reply = sent.getFirst();
        assertThat(reply.ip().dstAddr()).isEqualTo(ip(CL));
        assertThat(reply.tcp().seq()).isEqualTo(cookie + 1);
        assertThat(reply.checksumsValid()).isTrue();
    }

    @Test
    void shouldNotProxyWhenOff() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.OFF);
        forwarder.synGuard(new SynFloodGuard(8, 1, 3_000, 60_000, 7, counters));
        process(fromClient(TcpView.SYN, CLIENT_ISN, 0), ETH0, T0_MS);
        sent.clear();

        process(fromClient(40001, TcpView.SYN, CLIENT_ISN, 0), ETH0, T0_MS);

        assertThat(sent.getLast().ifindex()).isEqualTo(ETH1);
        assertThat(counters.total(WorkerCounters.SYN_PROXY_COOKIES)).isZero();
    }
}
