package io.jlvs.packet;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the packet views' {@code validate} methods (docs/fuzzing.md), and of the
 * contract the packet path builds on them: when a view says {@link PacketError#OK}, every fixed field
 * and every walk it offers (IPv6 extension headers, neighbour discovery options, ICMP checksums) reads
 * only inside the memory it was given. The memory is exactly the input's size, so a read past it throws.
 *
 * <p>Input: | view (1) | offset (1) | available (2, big-endian) | bytes… |; the view byte picks Ethernet,
 * ARP, IPv4, TCP, UDP, ICMP, IPv6, IPv6 fragment, ICMPv6 or neighbour discovery (wrapping round).
 */
class PacketViewsFuzzTest {
    private static final int VIEWS = 10;

    @FuzzTest(maxDuration = "2m")
    void fuzzValidate(byte[] input) {
        if (input.length < 4) {
            return;
        }
        int view = (input[0] & 0xff) % VIEWS;
        int bodyLength = input.length - 4;
        long offset = (input[1] & 0xff) % (bodyLength + 1L);
        long available = ((input[2] & 0xff) << 8) | (input[3] & 0xff);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(Math.max(1, bodyLength));
            MemorySegment.copy(input, 4, seg, ValueLayout.JAVA_BYTE, 0, bodyLength);
            if (bodyLength == 0) {
                seg = seg.asSlice(0, 0);
            }
            check(view, seg, offset, available);
        }
    }

    private static void check(int view, MemorySegment seg, long offset, long available) {
        long readable = Math.min(available, seg.byteSize() - offset);
        switch (view) {
            case 0 -> {
                if (ok(EthernetView.validate(seg, offset, available))) {
                    EthernetView v = new EthernetView().wrap(seg, offset);
                    v.dstMac();
                    v.srcMac();
                    v.etherType();
                }
            }
            case 1 -> {
                if (ok(ArpView.validate(seg, offset, available))) {
                    ArpView v = new ArpView().wrap(seg, offset);
                    v.isEthernetIpv4();
                    v.oper();
                    v.senderMac();
                    v.senderIp();
                    v.targetMac();
                    v.targetIp();
                }
            }
            case 2 -> {
                if (ok(Ipv4View.validate(seg, offset, available))) {
                    Ipv4View v = new Ipv4View().wrap(seg, offset);
                    assertThat(v.headerLength()).isBetween(20, v.totalLength());
                    assertThat((long) v.totalLength()).isLessThanOrEqualTo(readable);
                    v.headerChecksumValid();
                    v.srcAddr();
                    v.dstAddr();
                    v.fragmentOffset();
                    v.payloadLength();
                }
            }
            case 3 -> {
                if (ok(TcpView.validate(seg, offset, available))) {
                    TcpView v = new TcpView().wrap(seg, offset);
                    assertThat((long) v.headerLength()).isBetween(20L, readable);
                    v.srcPort();
                    v.dstPort();
                    v.seq();
                    v.ack();
                    v.flags();
                    v.window();
                    v.checksum();
                    v.urgentPointer();
                }
            }
            case 4 -> {
                if (ok(UdpView.validate(seg, offset, available))) {
                    UdpView v = new UdpView().wrap(seg, offset);
                    assertThat((long) v.length()).isBetween(8L, readable);
                    v.srcPort();
                    v.dstPort();
                    v.checksum();
                }
            }
            case 5 -> {
                if (ok(IcmpView.validate(seg, offset, available))) {
                    IcmpView v = new IcmpView().wrap(seg, offset);
                    v.type();
                    v.code();
                    v.identifier();
                    v.sequence();
                    v.nextHopMtu();
                    v.checksumValid((int) Math.min(readable, 65535));
                }
            }
            case 6 -> {
                if (ok(Ipv6View.validate(seg, offset, available))) {
                    Ipv6View v = new Ipv6View().wrap(seg, offset);
                    assertThat(40L + v.payloadLength()).isLessThanOrEqualTo(readable);
                    v.srcHi();
                    v.srcLo();
                    v.dstHi();
                    v.dstLo();
                    v.flowLabel();
                    int upper = v.upperLayerOffset(available);
                    if (upper >= 0) {
                        assertThat((long) upper).isBetween(40L, 40L + v.payloadLength());
                        v.upperLayerProtocol();
                        v.isNonFirstFragment();
                        int frag = v.fragmentHeaderOffset();
                        if (frag >= 0) {
                            assertThat(Ipv6FragmentView.validate(seg, offset + frag, readable - frag))
                                    .isEqualTo(PacketError.OK);
                            new Ipv6FragmentView().wrap(seg, offset + frag).identification();
                        }
                    } else {
                        assertThat(upper).isEqualTo(PacketError.TRUNCATED_IPV6);
                    }
                }
            }
            case 7 -> {
                if (ok(Ipv6FragmentView.validate(seg, offset, available))) {
                    Ipv6FragmentView v = new Ipv6FragmentView().wrap(seg, offset);
                    v.nextHeader();
                    v.fragmentOffset();
                    v.moreFragments();
                    v.identification();
                    v.isFirst();
                    v.isAtomic();
                }
            }
            case 8 -> {
                if (ok(Icmpv6View.validate(seg, offset, available))) {
                    Icmpv6View v = new Icmpv6View().wrap(seg, offset);
                    v.type();
                    v.code();
                    v.identifier();
                    v.sequence();
                    v.mtu();
                    v.pointer();
                    v.isError();
                    v.checksumValid((int) Math.min(readable, 65535), 0, 0, 0, 0);
                }
            }
            default -> {
                if (ok(NeighborDiscoveryView.validate(seg, offset, available))) {
                    NeighborDiscoveryView v = new NeighborDiscoveryView().wrap(seg, offset);
                    v.targetHi();
                    v.targetLo();
                    v.flags();
                    int icmpLength = (int) Math.min(readable, 65535);
                    v.sourceLinkLayerAddress(icmpLength);
                    v.targetLinkLayerAddress(icmpLength);
                }
            }
        }
    }

    private static boolean ok(int error) {
        assertThat(PacketError.name(error)).isNotNull();
        return error == PacketError.OK;
    }
}
