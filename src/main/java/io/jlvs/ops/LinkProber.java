package io.jlvs.ops;

import io.jlvs.io.linux.Libc;
import io.jlvs.packet.ArpView;
import io.jlvs.packet.Checksum;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Layer-2 probes {@code jlvs doctor} sends from the director to a real server it cannot log in to: an ARP request
 * (who answers for an address, from which MAC) and a TCP SYN to the VIP sent to the real server's MAC, exactly as
 * direct routing delivers it (does the real server accept the VIP, and does something listen there). One
 * {@code AF_PACKET} socket bound to the interface, a few frames each way, then closed; slow path only.
 *
 * <p>A SYN probe leaves one half-open connection on the real server (its SYN-ACK goes unanswered or is reset by
 * the director's kernel), which its SYN-ACK retries clear within a minute, as any port scan does.
 */
public final class LinkProber implements AutoCloseable {
    /** What a SYN to the VIP brought back. */
    public enum SynResult { SYN_ACK, RST, NOTHING }

    private static final int FRAME_BYTES = 2048;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment tx = arena.allocate(FRAME_BYTES);
    private final MemorySegment rx = arena.allocate(FRAME_BYTES);
    private final MemorySegment pollFd = arena.allocate(Libc.POLLFD);
    private final EthernetView eth = new EthernetView();
    private final ArpView arp = new ArpView();
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final long ourMac;
    private final int ourIp;

    /**
     * @param ifindex interface to probe on
     * @param ourMac  its MAC (the probes' source)
     * @param ourIp   its IPv4 address, host order (the probes' source)
     */
    public LinkProber(int ifindex, long ourMac, int ourIp) {
        this.ourMac = ourMac;
        this.ourIp = ourIp;
        this.fd = (int) Libc.check("socket(AF_PACKET, SOCK_RAW)", Libc.socket(Libc.AF_PACKET,
                Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Short.toUnsignedInt(Short.reverseBytes((short) Libc.ETH_P_ALL))));
        MemorySegment sll = arena.allocate(20);
        sll.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
        sll.set(JAVA_SHORT, 2, Short.reverseBytes((short) Libc.ETH_P_ALL));
        sll.set(JAVA_INT, 4, ifindex);
        int r = Libc.bind(fd, sll, 20);
        if (r < 0) {
            Libc.close(fd);
            arena.close();
            Libc.check("bind(AF_PACKET, ifindex=" + ifindex + ")", r);
        }
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, Libc.POLLIN);
    }

    /**
     * Broadcasts "who has {@code targetIp}" and collects the MACs that answer within {@code timeoutMs}; sent twice,
     * half the time apart, as a lost frame must not read as "nobody".
     */
    public List<Long> arp(int targetIp, long timeoutMs) {
        eth.wrap(tx, 0).dstMac(EthernetView.BROADCAST_MAC).srcMac(ourMac).etherType(EthernetView.ETHERTYPE_ARP);
        arp.wrap(tx, EthernetView.HEADER_LENGTH).initEthernetIpv4(ArpView.OP_REQUEST).senderMac(ourMac)
                .senderIp(ourIp).targetMac(0).targetIp(targetIp);
        tx.asSlice(42, 18).fill((byte) 0);
        List<Long> macs = new ArrayList<>();
        long startNs = System.nanoTime();
        long deadlineNs = startNs + timeoutMs * 1_000_000L;
        boolean resent = false;
        send(60);
        while (true) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                return macs;
            }
            if (!resent && System.nanoTime() - startNs >= timeoutMs * 500_000L) {
                send(60);
                resent = true;
            }
            int n = receive((int) Math.min(leftNs / 1_000_000L + 1, Math.max(1, timeoutMs / 2)));
            if (n < EthernetView.HEADER_LENGTH + ArpView.LENGTH) {
                continue;
            }
            eth.wrap(rx, 0);
            if (eth.etherType() != EthernetView.ETHERTYPE_ARP) {
                continue;
            }
            arp.wrap(rx, EthernetView.HEADER_LENGTH);
            if (arp.isEthernetIpv4() && arp.oper() == ArpView.OP_REPLY && arp.senderIp() == targetIp
                    && arp.senderMac() != ourMac && !macs.contains(arp.senderMac())) {
                macs.add(arp.senderMac());
            }
        }
    }

    /**
     * Sends a TCP SYN from us to {@code vip:port} in a frame addressed to {@code realServerMac} (what direct routing
     * does) and waits for the real server's answer from {@code vip:port} to us.
     */
    public SynResult syn(long realServerMac, int vip, int port, long timeoutMs) {
        int sport = 40000 + RANDOM.nextInt(20000);
        int seq = RANDOM.nextInt();
        eth.wrap(tx, 0).dstMac(realServerMac).srcMac(ourMac).etherType(EthernetView.ETHERTYPE_IPV4);
        long l3 = EthernetView.HEADER_LENGTH;
        tx.asSlice(l3, 40).fill((byte) 0);
        ip.wrap(tx, l3).version(4).ihl(5).totalLength(40).identification(RANDOM.nextInt(0x10000)).dontFragment(true)
                .ttl(64).protocol(Ipv4View.PROTO_TCP).srcAddr(ourIp).dstAddr(vip);
        ip.updateHeaderChecksum();
        long l4 = l3 + 20;
        tcp.wrap(tx, l4).srcPort(sport).dstPort(port).seq(seq).ack(0).dataOffset(5).flags(TcpView.SYN).window(64240)
                .checksum(0).urgentPointer(0);
        tcp.checksum(Checksum.tcpUdpIpv4(tx, l4, 20, ourIp, vip, Ipv4View.PROTO_TCP));
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        send(EthernetView.HEADER_LENGTH + 40);
        while (true) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                return SynResult.NOTHING;
            }
            int n = receive((int) (leftNs / 1_000_000L + 1));
            if (n < EthernetView.HEADER_LENGTH + 40) {
                continue;
            }
            eth.wrap(rx, 0);
            if (eth.etherType() != EthernetView.ETHERTYPE_IPV4) {
                continue;
            }
            ip.wrap(rx, l3);
            if (ip.version() != 4 || ip.protocol() != Ipv4View.PROTO_TCP || ip.srcAddr() != vip || ip.dstAddr() != ourIp) {
                continue;
            }
            tcp.wrap(rx, l3 + ip.headerLength());
            if (tcp.srcPort() != port || tcp.dstPort() != sport) {
                continue;
            }
            if ((tcp.flags() & TcpView.RST) != 0) {
                return SynResult.RST;
            }
            if ((tcp.flags() & (TcpView.SYN | TcpView.ACK)) == (TcpView.SYN | TcpView.ACK) && tcp.ack() == seq + 1) {
                return SynResult.SYN_ACK;
            }
        }
    }

    private void send(int length) {
        Libc.check("send(AF_PACKET)", Libc.send(fd, tx, length, 0));
    }

    /** One frame into {@link #rx}, waiting at most {@code timeoutMs}; its length, or 0 when none came. */
    private int receive(int timeoutMs) {
        int ready = Libc.poll(pollFd, 1, Math.max(0, timeoutMs));
        if (ready <= 0) {
            return 0;
        }
        long n = Libc.recv(fd, rx, FRAME_BYTES, Libc.MSG_DONTWAIT);
        return n < 0 ? 0 : (int) n;
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
