package io.jlvs.sync;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SyncCodecTest {
    static final SyncEntry ENTRY = new SyncEntry(6, 0x0103, 1, 40000, 80, 8080, 0, 900,
            0xC6120002, 0xC6120064, 0xC613000B);
    /** [2001:db8:1::2]:40000 → [2001:db8:1::100]:80 on [2001:db8:2::12]:80, DR, ESTABLISHED. */
    static final SyncEntry ENTRY6 = SyncEntry.ipv6(6, 0x0103, 1, 40000, 80, 80, 0, 900,
            0x20010db800010000L, 2L, 0x20010db800010000L, 0x100L, 0x20010db800020000L, 0x12L);

    @Test
    void shouldWriteKernelVersion1LayoutWhenEncoding() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        // header: reserved 0, syncid 7, size 44, 1 conn, version 1, spare 0
        // conn: type 0, TCP, ver/size 36, flags 0x103, state 1, ports, fwmark 0, timeout 900, addresses
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(
                "0007002c01010000" + "00060024" + "00000103" + "0001" + "9c40" + "0050" + "1f90" + "00000000"
                        + "00000384" + "c6120002" + "c6120064" + "c613000b");
    }

    @Test
    void shouldCarrySequenceShiftAsKernelSeqDataOptionWhenOutSeqIsSet() {
        SyncEntry proxied = new SyncEntry(false, 6, 0x0200, 1, 40000, 80, 8080, 0, 900, 0L, 0xc6120002L, 0L,
                0xc6120064L, 0L, 0xc613000bL, -0x10);
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, proxied);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        // conn: size 36 + 2 + 24 = 62 (0x3e), padded to 64; IPVS_OPT_SEQ_DATA: type 1, length 24 (0x18),
        // in_seq {0, 0, 0}, out_seq {init 0, delta -16, previous_delta -16}; then the next entry
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(
                "0007006c02010000" + "0006003e" + "00000200" + "0001" + "9c40" + "0050" + "1f90" + "00000000"
                        + "00000384" + "c6120002" + "c6120064" + "c613000b"
                        + "0118" + "000000000000000000000000" + "00000000" + "fffffff0" + "fffffff0" + "0000"
                        + "00060024" + "00000103" + "0001" + "9c40" + "0050" + "1f90" + "00000000"
                        + "00000384" + "c6120002" + "c6120064" + "c613000b");
        List<SyncEntry> back = new ArrayList<>();
        assertThat(SyncCodec.decode(ByteBuffer.wrap(bytes), 7, back::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(back).containsExactly(proxied, ENTRY);
    }

    @Test
    void shouldDropSeqFlagsWhenEntryCarriesNoSeqData() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        bytes[8 + 6] = 0x02; // flags 0x0203: OUT_SEQ claimed, no option follows

        List<SyncEntry> back = new ArrayList<>();
        SyncCodec.decode(ByteBuffer.wrap(bytes), 7, back::add);

        assertThat(back.getFirst().flags() & 0x0600).isZero();
    }

    @Test
    void shouldWriteKernelIpv6LayoutWhenEncodingIpv6Entry() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY6);
        SyncCodec.finish(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        // header: reserved 0, syncid 7, size 8 + 72 = 80, 1 conn, version 1, spare 0
        // struct ip_vs_sync_v6: type 1 (STYPE_F_INET6), TCP, ver 0 / size 72, flags 0x103, state 1, cport 40000,
        // vport 80, dport 80, fwmark 0, timeout 900, then caddr, vaddr, daddr as 16-byte in6_addr
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(
                "0007005001010000" + "01060048" + "00000103" + "0001" + "9c40" + "0050" + "0050" + "00000000"
                        + "00000384" + "20010db8000100000000000000000002" + "20010db8000100000000000000000100"
                        + "20010db8000200000000000000000012");
    }

    @Test
    void shouldReadBackIpv6AndIpv4EntriesWhenOneMessageCarriesBoth() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY6);
        SyncCodec.putEntry(b, ENTRY);
        SyncEntry template6 = SyncEntry.ipv6(17, 0x1003, 0, 0, 53, 53, 0, 360, 0x20010db800010000L, 0L,
                0x20010db800010000L, 0x100L, 0x20010db800020000L, 0x11L);
        SyncCodec.putEntry(b, template6);
        SyncCodec.finish(b);
        assertThat(b.remaining()).isEqualTo(SyncCodec.HEADER_V1 + 2 * SyncCodec.CONN_V1_IPV6 + SyncCodec.CONN_V1_IPV4);
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b, 7, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).containsExactly(ENTRY6, ENTRY, template6);
        assertThat(got.get(1).caddr()).isEqualTo(0xC6120002);
    }

    @Test
    void shouldReadIpv6EntryWithOptionsWhenKernelAppendsThem() {
        // a kernel master with sequence data: the entry's size covers 2 + 24 option bytes after the addresses
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY6);
        b.put((byte) 1).put((byte) 24).put(new byte[24]).putShort((short) 0); // option, padding to 32 bits
        b.putShort(SyncCodec.HEADER_V1 + 2, (short) (SyncCodec.CONN_V1_IPV6 + 26));
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b, 7, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).containsExactly(ENTRY6, ENTRY);
    }

    @Test
    void shouldEndMessageWhenIpv6EntryIsShorterThanItsStructOrTypeIsUnknown() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY6);
        SyncCodec.finish(b);
        b.putShort(SyncCodec.HEADER_V1 + 2, (short) SyncCodec.CONN_V1_IPV4); // an IPv6 entry claiming 36 bytes
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b.duplicate(), 7, got::add)).isEqualTo(SyncCodec.Result.BAD_ENTRY);
        b.putShort(SyncCodec.HEADER_V1 + 2, (short) SyncCodec.CONN_V1_IPV6);
        b.put(SyncCodec.HEADER_V1, (byte) 2); // neither 0 nor the IPv6 bit: the kernel drops the rest (-10)
        assertThat(SyncCodec.decode(b.duplicate(), 7, got::add)).isEqualTo(SyncCodec.Result.BAD_ENTRY);
        assertThat(got).isEmpty();
    }

    @Test
    void shouldStartNewMessageWhenIpv6EntryNoLongerFits() {
        ByteBuffer b = ByteBuffer.allocate(SyncCodec.HEADER_V1 + SyncCodec.CONN_V1_IPV6 + SyncCodec.CONN_V1_IPV4);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY);
        assertThat(SyncCodec.fits(b, ENTRY6)).isTrue();
        SyncCodec.putEntry(b, ENTRY6);
        assertThat(SyncCodec.fits(b, ENTRY)).isFalse();
    }

    @Test
    void shouldCarryIpv6AddressesThroughRing() {
        SyncRing ring = new SyncRing(4);
        ring.offer6(ENTRY6.protocol(), ENTRY6.flags(), ENTRY6.state(), ENTRY6.cport(), ENTRY6.vport(), ENTRY6.dport(),
                0, 900, ENTRY6.caddrHi(), ENTRY6.caddrLo(), ENTRY6.vaddrHi(), ENTRY6.vaddrLo(), ENTRY6.daddrHi(),
                ENTRY6.daddrLo());
        ring.offer(6, 0x0103, 1, 40000, 80, 8080, 0, 900, 0xC6120002, 0xC6120064, 0xC613000B);
        List<SyncEntry> got = new ArrayList<>();
        ring.drain(got::add, 10);
        assertThat(got).containsExactly(ENTRY6, ENTRY);
        ring.close();
    }

    @Test
    void shouldReadBackWhatWasWritten() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b, 7, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).containsExactly(ENTRY, ENTRY);
    }

    @Test
    void shouldIgnoreOtherSyncIdUnlessZero() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 7);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b.duplicate(), 8, got::add)).isEqualTo(SyncCodec.Result.OTHER_SYNCID);
        assertThat(SyncCodec.decode(b.duplicate(), 0, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).hasSize(1);
    }

    @Test
    void shouldReadVersion0Messages() {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put((byte) 1).put((byte) 3).putShort((short) 28);
        b.put((byte) 0).put((byte) 17).putShort((short) 5353).putShort((short) 53).putShort((short) 53)
                .putInt(0xC6120002).putInt(0xC6120064).putInt(0xC613000B).putShort((short) 0x0100).putShort((short) 0);
        b.flip();
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b, 3, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).containsExactly(new SyncEntry(17, 0x0100, 0, 5353, 53, 53, 0, 0, 0xC6120002, 0xC6120064,
                0xC613000B));
    }

    @Test
    void shouldRefuseWhenSizeOrEntryIsWrong() {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 1);
        SyncCodec.putEntry(b, ENTRY);
        SyncCodec.finish(b);
        ByteBuffer truncated = b.duplicate().limit(b.limit() - 4);
        assertThat(SyncCodec.decode(truncated, 1, e -> { })).isEqualTo(SyncCodec.Result.BAD_LENGTH);
        b.putShort(10, (short) 12); // entry claims 12 bytes
        assertThat(SyncCodec.decode(b, 1, e -> { })).isEqualTo(SyncCodec.Result.BAD_ENTRY);
    }

    @Test
    void shouldRecogniseResyncRequestThatKernelReadsAsEmpty() {
        ByteBuffer b = ByteBuffer.allocate(8);
        SyncCodec.resyncRequest(b, 5);
        assertThat(SyncCodec.decode(b.duplicate(), 5, e -> { })).isEqualTo(SyncCodec.Result.RESYNC_REQUEST);
        // a kernel backup takes byte 0 (0) as "v0 with 0 connections"
        assertThat(b.get(0)).isZero();
    }

    @Test
    void shouldHandEntriesOverInOrderWhenRingDrains() {
        SyncRing ring = new SyncRing(4);
        for (int i = 0; i < 6; i++) {
            ring.offer(6, 0, 1, 1000 + i, 80, 80, 0, 900, 1, 2, 3);
        }
        assertThat(ring.dropped()).isEqualTo(2);
        List<Integer> ports = new ArrayList<>();
        ring.drain(e -> ports.add(e.cport()), 100);
        assertThat(ports).containsExactly(1000, 1001, 1002, 1003);
        ring.close();
    }
}
