package io.jlvs.sync;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the sync message decoder (docs/fuzzing.md): a sync message arrives from
 * the network, from any host that can reach the multicast group. Input: | syncid the backup wants (1) |
 * message |. Decoding never throws, keeps only {@link SyncCodec#ACCEPTED_FLAGS}, and what it yields
 * encodes and decodes back to itself.
 */
class SyncCodecFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void fuzzDecode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int mySyncId = input[0] & 0xff;
        List<SyncEntry> got = new ArrayList<>();
        SyncCodec.Result result = SyncCodec.decode(ByteBuffer.wrap(input, 1, input.length - 1).slice(), mySyncId, got::add);

        assertThat(result).isNotNull();
        if (result != SyncCodec.Result.OK && result != SyncCodec.Result.BAD_ENTRY) {
            assertThat(got).isEmpty();
        }
        for (SyncEntry e : got) {
            assertThat(e.flags() & ~SyncCodec.ACCEPTED_FLAGS).isZero();
            ByteBuffer b = ByteBuffer.allocate(SyncCodec.HEADER_V1 + SyncCodec.CONN_V1_IPV6);
            SyncCodec.begin(b, 1);
            SyncCodec.putEntry(b, e);
            SyncCodec.finish(b);
            List<SyncEntry> back = new ArrayList<>();
            assertThat(SyncCodec.decode(b, 1, back::add)).isEqualTo(SyncCodec.Result.OK);
            assertThat(back).containsExactly(e);
        }
    }
}
