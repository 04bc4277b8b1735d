package io.jlvs.io.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The user-space interpreter's own rules; what it computes for jlvs's programs is in Socket/FanoutFilterTest. */
class ClassicBpfTest {
    final Arena arena = Arena.ofConfined();

    static SocketFilter.Insn insn(int code, int k) {
        return new SocketFilter.Insn(code, 0, 0, k);
    }

    @Test
    void shouldEndWithZeroWhenALoadIsOutsideTheFrame() {
        ClassicBpf p = ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x20, 0xfff00000 + 16), insn(0x16, 0)), arena));
        byte[] frame = new byte[34];
        frame[30] = (byte) 198;
        frame[31] = 18;
        frame[33] = 7;
        assertThat(p.run(MemorySegment.ofArray(frame), 0, 34, 0, new int[16])).isEqualTo(ip("198.18.0.7"));
        assertThat(p.run(MemorySegment.ofArray(frame), 0, 33, 0, new int[16])).as("one byte short").isZero();
    }

    @Test
    void shouldReadTheFrameAtItsOffsetInALargerSegment() {
        ClassicBpf p = ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x20, 0xfffff000), insn(0x16, 0)), arena));
        // SKF_AD_PROTOCOL: the EtherType
        byte[] buf = new byte[100];
        buf[40 + 12] = 0x08;
        assertThat(p.run(MemorySegment.ofArray(buf), 40, 60, 0, new int[16])).isEqualTo(0x0800);
    }

    @Test
    void shouldRefuseWhatItCannotRunWhenDecoding() {
        assertThatThrownBy(() -> ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x99, 0), insn(0x06, 0)), arena)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("opcode 0x99");
        assertThatThrownBy(() -> ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x05, 5), insn(0x06, 0)), arena)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jump out");
        assertThatThrownBy(() -> ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x04, 1)), arena)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a return");
        assertThatThrownBy(() -> ClassicBpf.decode(SocketFilter.encode(List.of(insn(0x34, 0), insn(0x16, 0)), arena)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("division by zero");
    }

    @Test
    void shouldAllocateNothingPerRun() {
        ClassicBpf p = ClassicBpf.decode(FanoutFilter.build(
                List.of(new SocketFilter.Match(false, ip("198.18.0.100"), 6, 80)), List.of(), List.of(),
                FanoutFilter.Key.ADDRESS_AND_TCP_PORT, 1024, 32256, arena));
        byte[] frame = io.jlvs.testkit.PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01")
                .ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).build();
        MemorySegment seg = MemorySegment.ofArray(frame);
        int[] mem = new int[16];
        long sum = 0;
        for (int i = 0; i < 20_000; i++) {
            sum += p.run(seg, 0, frame.length, 0, mem);
        }
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sum += p.run(seg, 0, frame.length, 0, mem);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(sum).isNotZero();
        assertThat(allocated).as("bytes allocated by 100,000 runs").isLessThan(1024);
    }
}
