package io.jlvs.conn;

import static io.jlvs.conn.TcpState.CLOSE;
import static io.jlvs.conn.TcpState.CLOSE_WAIT;
import static io.jlvs.conn.TcpState.ESTABLISHED;
import static io.jlvs.conn.TcpState.FIN_WAIT;
import static io.jlvs.conn.TcpState.LAST_ACK;
import static io.jlvs.conn.TcpState.LISTEN;
import static io.jlvs.conn.TcpState.SYN_RECV;
import static io.jlvs.conn.TcpState.SYN_SENT;
import static io.jlvs.conn.TcpState.TIME_WAIT;

/**
 * The IPVS TCP state machine ({@code tcp_states} of {@code ip_vs_proto_tcp.c}, the normal table, not the
 * secure_tcp one). Sequence numbers and windows are never looked at: the next state depends only on the
 * direction, the most important of the segment's flags (RST &gt; SYN &gt; FIN &gt; ACK) and the current state.
 * A segment with none of those four flags moves the connection to CLOSE.
 *
 * <p>The directions: {@link #INPUT} is a client packet, {@link #OUTPUT} a reply the balancer sees (NAT), and
 * {@link #INPUT_ONLY} a client packet on a connection whose replies bypass the balancer (NOOUTPUT: DR, TUN,
 * local); see {@link #direction(boolean, int)}.
 */
public final class TcpStateMachine {
    public static final int INPUT = 0;
    public static final int OUTPUT = 1;
    public static final int INPUT_ONLY = 2;

    /** Events, in the kernel's row order. */
    public static final int EVENT_SYN = 0;
    public static final int EVENT_FIN = 1;
    public static final int EVENT_ACK = 2;
    public static final int EVENT_RST = 3;

    /** TCP header flag bits (byte 13 of the TCP header). */
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_ACK = 0x10;

    private static final int STATES = TcpState.COUNT;
    private static final int EVENTS = 4;

    private static final int NO = TcpState.NONE;
    private static final int ES = ESTABLISHED;
    private static final int SS = SYN_SENT;
    private static final int SR = SYN_RECV;
    private static final int FW = FIN_WAIT;
    private static final int TW = TIME_WAIT;
    private static final int CL = CLOSE;
    private static final int CW = CLOSE_WAIT;
    private static final int LA = LAST_ACK;
    private static final int LI = LISTEN;
    private static final int SA = TcpState.SYNACK;

    /** Index {@code (direction * 4 + event) * 11 + state}; columns in state-index order. */
    private static final int[] NEXT = {
        //                   NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
        /* INPUT      SYN */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR,
        /* INPUT      FIN */ CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW,
        /* INPUT      ACK */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
        /* INPUT      RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR,
        /* OUTPUT     SYN */ SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR,
        /* OUTPUT     FIN */ TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW,
        /* OUTPUT     ACK */ ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES,
        /* OUTPUT     RST */ CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL,
        /* INPUT_ONLY SYN */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR,
        /* INPUT_ONLY FIN */ CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW,
        /* INPUT_ONLY ACK */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
        /* INPUT_ONLY RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL,
    };

    private TcpStateMachine() {
    }

    /**
     * The state after a segment with {@code tcpFlags} in {@code direction} on a connection in {@code state}.
     * A direction or state out of range yields CLOSE rather than an exception (nothing on the packet path throws).
     */
    public static int next(int direction, int tcpFlags, int state) {
        int event = event(tcpFlags);
        if (event < 0 || direction < INPUT || direction > INPUT_ONLY || state < 0 || state >= STATES) {
            return CLOSE;
        }
        return NEXT[(direction * EVENTS + event) * STATES + state];
    }

    /** The event a segment's flags raise (RST &gt; SYN &gt; FIN &gt; ACK), or -1 when it carries none of them. */
    public static int event(int tcpFlags) {
        if ((tcpFlags & TCP_RST) != 0) {
            return EVENT_RST;
        }
        if ((tcpFlags & TCP_SYN) != 0) {
            return EVENT_SYN;
        }
        if ((tcpFlags & TCP_FIN) != 0) {
            return EVENT_FIN;
        }
        if ((tcpFlags & TCP_ACK) != 0) {
            return EVENT_ACK;
        }
        return -1;
    }

    /**
     * The table a packet uses: replies use OUTPUT; client packets use INPUT_ONLY while the connection has
     * {@link ConnectionFlags#NOOUTPUT}, else INPUT. On a reply the caller clears NOOUTPUT itself (the kernel does,
     * before the transition), since a reply proves the balancer is on the return path.
     */
    public static int direction(boolean reply, int connFlags) {
        if (reply) {
            return OUTPUT;
        }
        return (connFlags & ConnectionFlags.NOOUTPUT) != 0 ? INPUT_ONLY : INPUT;
    }
}
