package io.jlvs.packet;

import static io.jlvs.testkit.Ipv6Captures.CAPTURED_FIRST_FRAGMENT_HEAD;
import static io.jlvs.testkit.Ipv6Captures.capturedSecondFragment;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class Ipv6FragmentViewTest {
    private final Ipv6FragmentView view = new Ipv6FragmentView();

    @Test
    void shouldReadFirstFragmentWhenWrappingCapture() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED_FIRST_FRAGMENT_HEAD)), 54);

        assertThat(view.nextHeader()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(view.fragmentOffset()).isZero();
        assertThat(view.moreFragments()).isTrue();
        assertThat(view.identification()).isEqualTo(0xf7d33674);
        assertThat(view.isFirst()).isTrue();
        assertThat(view.isAtomic()).isFalse();
    }

    @Test
    void shouldReadLastFragmentWhenWrappingCapture() {
        view.wrap(MemorySegment.ofArray(capturedSecondFragment()), 54);

        assertThat(view.nextHeader()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(view.fragmentOffset()).isEqualTo(181);
        assertThat(view.fragmentOffset() * 8).isEqualTo(1448);
        assertThat(view.moreFragments()).isFalse();
        assertThat(view.isFirst()).isFalse();
        assertThat(view.isAtomic()).isFalse();
    }

    @Test
    void shouldCallItAtomicWhenOffsetZeroAndNoMoreFragments() {
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6("2001:db8::1", "2001:db8::2")
                .fragmentHeader(0, false, 5).udp(1, 2).build();
        view.wrap(MemorySegment.ofArray(f), 54);

        assertThat(view.isAtomic()).isTrue();
        assertThat(view.isFirst()).isTrue();
    }

    @Test
    void shouldKeepOtherFieldsWhenSettingEach() {
        MemorySegment s = MemorySegment.ofArray(capturedSecondFragment());
        view.wrap(s, 54);

        view.moreFragments(true);
        assertThat(view.fragmentOffset()).isEqualTo(181);
        view.fragmentOffset(0x1fff);
        assertThat(view.moreFragments()).isTrue();
        assertThat(view.fragmentOffset()).isEqualTo(0x1fff);
        view.fragmentOffset(2).moreFragments(false).identification(0x0102_0304).nextHeader(Ipv6View.NEXT_TCP);

        assertThat(PacketBuilder.hex(java.util.Arrays.copyOfRange(PacketBuilder.bytes(s), 54, 62)))
                .isEqualTo("06 00 00 10 01 02 03 04");
    }

    @Test
    void shouldReportTruncatedWhenFewerThanEightBytes() {
        MemorySegment s = MemorySegment.ofArray(new byte[16]);

        assertThat(Ipv6FragmentView.validate(s, 0, 8)).isEqualTo(PacketError.OK);
        assertThat(Ipv6FragmentView.validate(s, 0, 7)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(Ipv6FragmentView.validate(s, 9, 8)).isEqualTo(PacketError.TRUNCATED_IPV6);
    }
}
