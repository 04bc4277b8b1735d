package io.jlvs.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionTimeoutsTest {
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Test
    void shouldUseKernelDefaultsWhenNothingIsSet() {
        ConnectionTimeouts t = ConnectionTimeouts.defaults();
        long[] expectedSec = {2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120};
        for (int s = 0; s < TcpState.COUNT; s++) {
            assertThat(t.timeoutMs(TCP, s)).as(TcpState.name(s)).isEqualTo(expectedSec[s] * 1000);
        }
        assertThat(t.timeoutMs(UDP, TcpState.NONE)).isEqualTo(300_000);
        assertThat(t.udpTimeoutMs()).isEqualTo(300_000);
        assertThat(new int[] {t.tcpSec(), t.tcpfinSec(), t.udpSec()}).containsExactly(900, 120, 300);
        assertThat(ConnectionTimeouts.INITIAL_TIMEOUT_MS).isEqualTo(3_000);
    }

    @Test
    void shouldChangeOnlyEstablishedFinWaitAndUdpWhenSet() {
        ConnectionTimeouts t = ConnectionTimeouts.defaults().withSet(3600, 30, 60);
        assertThat(t.tcpTimeoutMs(TcpState.ESTABLISHED)).isEqualTo(3_600_000);
        assertThat(t.tcpTimeoutMs(TcpState.FIN_WAIT)).isEqualTo(30_000);
        assertThat(t.udpTimeoutMs()).isEqualTo(60_000);
        assertThat(t.tcpTimeoutMs(TcpState.TIME_WAIT)).isEqualTo(120_000);
        assertThat(t.tcpTimeoutMs(TcpState.CLOSE)).isEqualTo(10_000);
        assertThat(ConnectionTimeouts.defaults().tcpSec()).isEqualTo(900);
    }

    @Test
    void shouldLeaveValueUnchangedWhenSetToZero() {
        ConnectionTimeouts t = ConnectionTimeouts.defaults().withSet(1000, 0, 0).withSet(0, 50, 0);
        assertThat(new int[] {t.tcpSec(), t.tcpfinSec(), t.udpSec()}).containsExactly(1000, 50, 300);
    }

    @Test
    void shouldRejectWhenValueIsNegativeOrTooLarge() {
        ConnectionTimeouts t = ConnectionTimeouts.defaults();
        assertThatThrownBy(() -> t.withSet(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("tcp=-1");
        assertThatThrownBy(() -> t.withSet(0, 0, ConnectionTimeouts.MAX_TIMEOUT_SEC + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("udp=");
        assertThat(t.withSet(ConnectionTimeouts.MAX_TIMEOUT_SEC, 0, 0).tcpSec())
            .isEqualTo(ConnectionTimeouts.MAX_TIMEOUT_SEC);
    }
}
