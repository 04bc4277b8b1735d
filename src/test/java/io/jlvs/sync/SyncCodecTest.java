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
