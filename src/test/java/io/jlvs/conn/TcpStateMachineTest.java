package io.jlvs.conn;

import static io.jlvs.conn.TcpStateMachine.INPUT;
import static io.jlvs.conn.TcpStateMachine.INPUT_ONLY;
import static io.jlvs.conn.TcpStateMachine.OUTPUT;
import static io.jlvs.conn.TcpStateMachine.TCP_ACK;
import static io.jlvs.conn.TcpStateMachine.TCP_FIN;
import static io.jlvs.conn.TcpStateMachine.TCP_RST;
import static io.jlvs.conn.TcpStateMachine.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpStateMachineTest {
    private static final int PSH = 0x08;
    private static final int URG = 0x20;

    /** The spec's table (ipvs-kernel.md 3.3), written independently of the implementation's array. */
    private static final String[] SPEC_TABLE = {
        "INPUT   SYN   SR    ES    ES    SR    SR    SR    SR    SR    SR    SR    SR",
        "INPUT   FIN   CL    CW    SS    TW    TW    TW    CL    CW    LA    LI    TW",
        "INPUT   ACK   ES    ES    SS    ES    FW    TW    CL    CW    CL    LI    ES",
        "INPUT   RST   CL    CL    CL    SR    CL    CL    CL    CL    LA    LI    SR",
        "OUTPUT  SYN   SS    ES    SS    SR    SS    SS    SS    SS    SS    LI    SR",
        "OUTPUT  FIN   TW    FW    SS    TW    FW    TW    CL    TW    LA    LI    TW",
        "OUTPUT  ACK   ES    ES    SS    ES    FW    TW    CL    CW    LA    ES    ES",
        "OUTPUT  RST   CL    CL    SS    CL    CL    TW    CL    CL    CL    CL    CL",
        "IN_ONLY SYN   SR    ES    ES    SR    SR    SR    SR    SR    SR    SR    SR",
        "IN_ONLY FIN   CL    FW    SS    TW    FW    TW    CL    CW    LA    LI    TW",
        "IN_ONLY ACK   ES    ES    SS    ES    FW    TW    CL    CW    CL    LI    ES",
        "IN_ONLY RST   CL    CL    CL    SR    CL    CL    CL    CL    LA    LI    CL",
    };

    private static final Map<String, Integer> STATE = Map.ofEntries(
        Map.entry("NO", TcpState.NONE), Map.entry("ES", TcpState.ESTABLISHED), Map.entry("SS", TcpState.SYN_SENT),
        Map.entry("SR", TcpState.SYN_RECV), Map.entry("FW", TcpState.FIN_WAIT), Map.entry("TW", TcpState.TIME_WAIT),
        Map.entry("CL", TcpState.CLOSE), Map.entry("CW", TcpState.CLOSE_WAIT), Map.entry("LA", TcpState.LAST_ACK),
        Map.entry("LI", TcpState.LISTEN), Map.entry("SA", TcpState.SYNACK));
    private static final Map<String, Integer> DIRECTION = Map.of("INPUT", INPUT, "OUTPUT", OUTPUT, "IN_ONLY", INPUT_ONLY);
    private static final Map<String, Integer> FLAG = Map.of("SYN", TCP_SYN, "FIN", TCP_FIN, "ACK", TCP_ACK, "RST", TCP_RST);

    @Test
    void shouldMatchSpecTableWhenEveryDirectionEventAndStateIsChecked() {
        int cells = 0;
        for (String row : SPEC_TABLE) {
            String[] f = row.trim().split("\\s+");
            assertThat(f).hasSize(2 + TcpState.COUNT);
            int direction = DIRECTION.get(f[0]);
            int flags = FLAG.get(f[1]);
            for (int state = 0; state < TcpState.COUNT; state++) {
                int expected = STATE.get(f[2 + state]);
                assertThat(TcpStateMachine.next(direction, flags, state))
                    .as("%s %s in %s", f[0], f[1], TcpState.name(state))
                    .isEqualTo(expected);
                cells++;
            }
        }
        assertThat(cells).isEqualTo(3 * 4 * 11);
    }

    @Test
    void shouldFollowDrTraceWhenClientOpensAndCloses() {
        int flags = ConnectionFlags.FWD_DROUTE | ConnectionFlags.NOOUTPUT;
        int dir = TcpStateMachine.direction(false, flags);
        assertThat(dir).isEqualTo(INPUT_ONLY);
        ConnectionTimeouts t = ConnectionTimeouts.defaults();

        int s = TcpStateMachine.next(dir, TCP_SYN, TcpState.NONE);
        assertThat(s).isEqualTo(TcpState.SYN_RECV);
        assertThat(t.tcpTimeoutMs(s)).isEqualTo(60_000);
        s = TcpStateMachine.next(dir, TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.ESTABLISHED);
        assertThat(t.tcpTimeoutMs(s)).isEqualTo(900_000);
        s = TcpStateMachine.next(dir, TCP_FIN | TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.FIN_WAIT);
        assertThat(t.tcpTimeoutMs(s)).isEqualTo(120_000);
        s = TcpStateMachine.next(dir, TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.FIN_WAIT);
    }

    @Test
    void shouldFollowNatTraceWhenBothSidesAreSeen() {
        int flags = ConnectionFlags.FWD_MASQ;
        int in = TcpStateMachine.direction(false, flags);
        int out = TcpStateMachine.direction(true, flags);
        assertThat(in).isEqualTo(INPUT);
        assertThat(out).isEqualTo(OUTPUT);

        int s = TcpStateMachine.next(in, TCP_SYN, TcpState.NONE);
        assertThat(s).isEqualTo(TcpState.SYN_RECV);
        s = TcpStateMachine.next(out, TCP_SYN | TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.SYN_RECV);
        s = TcpStateMachine.next(in, TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.ESTABLISHED);
        s = TcpStateMachine.next(in, TCP_FIN | TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.CLOSE_WAIT);
        s = TcpStateMachine.next(out, TCP_FIN | TCP_ACK, s);
        assertThat(s).isEqualTo(TcpState.TIME_WAIT);
    }

    @ParameterizedTest
    @CsvSource({
        // flags (hex), expected event
        "0x06, 3",   // SYN+RST -> RST
        "0x14, 3",   // RST+ACK -> RST
        "0x05, 3",   // RST+FIN -> RST
        "0x03, 0",   // SYN+FIN -> SYN
        "0x12, 0",   // SYN+ACK -> SYN
        "0x11, 1",   // FIN+ACK -> FIN
        "0x19, 1",   // FIN+PSH+ACK -> FIN
        "0x18, 2",   // PSH+ACK -> ACK
        "0x10, 2",   // ACK
        "0x08, -1",  // PSH alone -> none
        "0x20, -1",  // URG alone -> none
        "0x00, -1",  // no flags -> none
    })
    void shouldPickEventByPriorityWhenSeveralFlagsAreSet(String flagsHex, int expected) {
        assertThat(TcpStateMachine.event(Integer.decode(flagsHex))).isEqualTo(expected);
    }

    @Test
    void shouldCloseWhenSegmentCarriesNoneOfTheFourFlags() {
        for (int dir = INPUT; dir <= INPUT_ONLY; dir++) {
            for (int state = 0; state < TcpState.COUNT; state++) {
                assertThat(TcpStateMachine.next(dir, 0, state)).isEqualTo(TcpState.CLOSE);
                assertThat(TcpStateMachine.next(dir, PSH | URG, state)).isEqualTo(TcpState.CLOSE);
            }
        }
    }

    @Test
    void shouldKeepSynRecvWhenClientResetsButCloseWhenServerResets() {
        assertThat(TcpStateMachine.next(INPUT, TCP_RST, TcpState.SYN_RECV)).isEqualTo(TcpState.SYN_RECV);
        assertThat(TcpStateMachine.next(INPUT_ONLY, TCP_RST | TCP_ACK, TcpState.SYN_RECV)).isEqualTo(TcpState.SYN_RECV);
        assertThat(TcpStateMachine.next(OUTPUT, TCP_RST, TcpState.SYN_RECV)).isEqualTo(TcpState.CLOSE);
    }

    @Test
    void shouldUseNormalTableNotSecureTcpWhenSynackStateSeesInput() {
        // secure_tcp would keep SYNACK on these; the normal table does not.
        assertThat(TcpStateMachine.next(INPUT, TCP_SYN, TcpState.SYNACK)).isEqualTo(TcpState.SYN_RECV);
        assertThat(TcpStateMachine.next(INPUT, TCP_ACK, TcpState.SYN_RECV)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpStateMachine.next(INPUT_ONLY, TCP_SYN, TcpState.NONE)).isEqualTo(TcpState.SYN_RECV);
        assertThat(TcpStateMachine.next(OUTPUT, TCP_SYN, TcpState.SYN_RECV)).isEqualTo(TcpState.SYN_RECV);
    }

    @Test
    void shouldEstablishWhenAckArrivesWithoutConnectionState() {
        // Current kernels (sloppy-TCP era): ACK in NONE goes to ESTABLISHED, older ones went to CLOSE.
        assertThat(TcpStateMachine.next(INPUT, TCP_ACK, TcpState.NONE)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpStateMachine.next(INPUT_ONLY, TCP_ACK, TcpState.NONE)).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void shouldReturnCloseWhenDirectionOrStateIsOutOfRange() {
        assertThat(TcpStateMachine.next(3, TCP_SYN, TcpState.NONE)).isEqualTo(TcpState.CLOSE);
        assertThat(TcpStateMachine.next(-1, TCP_SYN, TcpState.NONE)).isEqualTo(TcpState.CLOSE);
        assertThat(TcpStateMachine.next(INPUT, TCP_SYN, TcpState.COUNT)).isEqualTo(TcpState.CLOSE);
        assertThat(TcpStateMachine.next(INPUT, TCP_SYN, -1)).isEqualTo(TcpState.CLOSE);
    }

    @Test
    void shouldPickInputOnlyWhenConnectionHasNoOutput() {
        assertThat(TcpStateMachine.direction(false, ConnectionFlags.NOOUTPUT)).isEqualTo(INPUT_ONLY);
        assertThat(TcpStateMachine.direction(false, 0)).isEqualTo(INPUT);
        assertThat(TcpStateMachine.direction(true, ConnectionFlags.NOOUTPUT)).isEqualTo(OUTPUT);
    }
}
