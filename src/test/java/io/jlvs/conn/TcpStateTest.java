package io.jlvs.conn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TcpStateTest {
    @Test
    void shouldPrintIpvsadmNamesWhenIndexedByKernelNumber() {
        String[] expected = {
            "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
            "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
        };
        for (int i = 0; i < expected.length; i++) {
            assertThat(TcpState.name(i)).isEqualTo(expected[i]);
            assertThat(TcpState.indexOf(expected[i])).isEqualTo(i);
        }
        assertThat(TcpState.COUNT).isEqualTo(11);
        assertThat(TcpState.SYNACK).isEqualTo(10);
        assertThat(TcpState.LISTEN).isEqualTo(9);
    }

    @Test
    void shouldReportErrorNameWhenIndexIsOutOfRange() {
        assertThat(TcpState.name(11)).isEqualTo("ERR!");
        assertThat(TcpState.name(-1)).isEqualTo("ERR!");
        assertThat(TcpState.indexOf("UDP")).isEqualTo(-1);
    }

    @Test
    void shouldCountAsActiveWhenStateIsEstablishedOrOpening() {
        for (int s = 0; s < TcpState.COUNT; s++) {
            boolean expected = s == TcpState.ESTABLISHED || s == TcpState.SYN_SENT
                || s == TcpState.SYN_RECV || s == TcpState.SYNACK;
            assertThat(TcpState.isActive(s)).as(TcpState.name(s)).isEqualTo(expected);
        }
    }
}
