package io.jlvs.worker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandoffTest {
    static final int HEADROOM = 64;
    static final int VNET = 10;

    final Handoff ring = new Handoff(4, HEADROOM, VNET);
    final List<String> seen = new ArrayList<>();
    final Handoff.FrameHandler record = (slots, mac, length, ifindex) -> {
        byte[] frame = slots.asSlice(mac, length).toArray(JAVA_BYTE);
        byte[] vnet = slots.asSlice(mac - VNET, VNET).toArray(JAVA_BYTE);
        seen.add(ifindex + ":" + new String(frame) + ":vnet" + vnet[0] + ":room" + (mac % Handoff.SLOT_BYTES));
    };

    @AfterEach
    void close() {
        ring.close();
    }

    /** A frame at offset {@code at} of a buffer, with its virtio_net_hdr's first byte in front. */
    static MemorySegment frame(String text, int at, byte vnetFlags) {
        MemorySegment seg = MemorySegment.ofArray(new byte[at + text.length()]);
        seg.set(JAVA_BYTE, at - VNET, vnetFlags);
        MemorySegment.copy(MemorySegment.ofArray(text.getBytes()), 0, seg, at, text.length());
        return seg;
    }

    @Test
    void shouldDeliverFrameWithItsVnetHeaderAndIfindexAndHeadroomInFront() {
        assertThat(ring.offer(frame("hello", 100, (byte) 1), 100, 5, 7)).isTrue();
        assertThat(ring.poll(record, 16)).isEqualTo(1);
        assertThat(seen).containsExactly("7:hello:vnet1:room" + (8 + HEADROOM + VNET));
    }

    @Test
    void shouldRefuseWhenFullUntilConsumerReleasesAfterItsFlush() {
        for (int i = 0; i < 4; i++) {
            assertThat(ring.offer(frame("f" + i, 20, (byte) 0), 20, 2, 1)).isTrue();
        }
        assertThat(ring.offer(frame("f4", 20, (byte) 0), 20, 2, 1)).as("four slots").isFalse();
        assertThat(ring.poll(record, 2)).isEqualTo(2);
        assertThat(ring.offer(frame("f4", 20, (byte) 0), 20, 2, 1)).as("polled but not released: still in use")
                .isFalse();
        ring.release();
        assertThat(ring.offer(frame("f4", 20, (byte) 0), 20, 2, 1)).isTrue();
        assertThat(ring.offer(frame("f5", 20, (byte) 0), 20, 2, 1)).isTrue();
        assertThat(ring.poll(record, 16)).isEqualTo(4);
        assertThat(seen).extracting(s -> s.split(":")[1]).containsExactly("f0", "f1", "f2", "f3", "f4", "f5");
    }

    @Test
    void shouldKeepOrderAcrossManyWrapArounds() {
        for (int i = 0; i < 1000; i++) {
            assertThat(ring.offer(frame("n" + i, 16, (byte) 0), 16, ("n" + i).length(), 2)).isTrue();
            if (i % 3 == 2) {
                ring.poll(record, 16);
                ring.release();
            }
        }
        ring.poll(record, 16);
        ring.release();
        assertThat(seen).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.get(i)).startsWith("2:n" + i + ":");
        }
        assertThat(ring.hasFrames()).isFalse();
        assertThat(ring.waiting()).isZero();
    }

    @Test
    void shouldRefuseFrameLongerThanASlotHolds() {
        int longest = ring.maxFrameBytes();
        assertThat(longest).isEqualTo(Handoff.SLOT_BYTES - 8 - HEADROOM - VNET);
        MemorySegment big = MemorySegment.ofArray(new byte[longest + 1 + 32]);
        assertThat(ring.offer(big, 32, longest + 1, 1)).isFalse();
        assertThat(ring.offer(big, 32, longest, 1)).isTrue();
    }

    @Test
    void shouldRefuseSlotCountThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new Handoff(3, HEADROOM, VNET)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slotCount=3");
    }
}
