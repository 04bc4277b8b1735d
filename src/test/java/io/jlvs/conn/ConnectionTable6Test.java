package io.jlvs.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ConnectionTableTest}'s cases for the IPv6 table, plus the halves of 128-bit addresses. */
class ConnectionTable6Test {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final long DOC = 0x2001_0db8_0000_0000L;
    /** 2001:db8:0:1::1, 2001:db8:0:2::64, 2001:db8:0:3::a: the halves differ in both words. */
    private static final long CLIENT_HI = DOC | 1;
    private static final long CLIENT_LO = 1;
    private static final long VIP_HI = DOC | 2;
    private static final long VIP_LO = 0x64;
    private static final long REAL_HI = DOC | 3;
    private static final long REAL_LO = 0xa;
    private static final long MAC = 0x0A0B_0C0D_0E0FL;
    private static final long SEED = 0x1234_5678_9ABC_DEF0L;
    private static final ConnectionTimeouts TIMEOUTS = ConnectionTimeouts.defaults();

    private final List<ConnectionTable6> tables = new ArrayList<>();

    @AfterEach
    void closeTables() {
        tables.forEach(ConnectionTable6::close);
    }

    private ConnectionTable6 table(int capacity, int buckets, long tickMs, int wheelSlots) {
        ConnectionTable6 t = new ConnectionTable6(capacity, buckets, tickMs, wheelSlots, SEED);
        tables.add(t);
        return t;
    }

    /** 1<<16 connections, 1 s ticks, 1024 wheel lists (a revolution of 1024 s). */
    private ConnectionTable6 table() {
        return table(1 << 16, 1 << 16, 1000, 1024);
    }

    private static int create(ConnectionTable6 t, int clientPort, long nowMs) {
        return t.create(TCP, CLIENT_HI, CLIENT_LO, clientPort, VIP_HI, VIP_LO, 80, REAL_HI, REAL_LO, 8080,
            ConnectionFlags.FWD_MASQ, 3, MAC, 7, 2, nowMs);
    }

    private static int in(ConnectionTable6 t, int protocol, long clientHi, long clientLo, int clientPort, long vipHi,
                          long vipLo, int vport) {
        return t.lookupIn(protocol, clientHi, clientLo, clientPort, vipHi, vipLo, vport);
    }

    /** Inbound lookup of the usual client and VIP. */
    private static int in(ConnectionTable6 t, int clientPort) {
        return t.lookupIn(TCP, CLIENT_HI, CLIENT_LO, clientPort, VIP_HI, VIP_LO, 80);
    }

    /** Outbound lookup of the usual real server and client. */
    private static int out(ConnectionTable6 t, int clientPort) {
        return t.lookupOut(TCP, REAL_HI, REAL_LO, 8080, CLIENT_HI, CLIENT_LO, clientPort);
    }

    /** Sets a state and re-arms the connection as the worker does after a transition. */
    private static void enter(ConnectionTable6 t, int slot, int state, long nowMs) {
        t.state(slot, state);
        t.touch(slot, nowMs, TIMEOUTS.timeoutMs(t.protocol(slot), state));
    }

    // ------------------------------------------------------------------------------------------ lookups

    @Test
    void shouldFindConnectionInBothDirectionsWhenCreated() {
        ConnectionTable6 t = table();
        int slot = create(t, 40000, 0);

        assertThat(slot).isGreaterThanOrEqualTo(0);
        assertThat(in(t, 40000)).isEqualTo(slot);
        assertThat(out(t, 40000)).isEqualTo(slot);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void shouldMissWhenAnyKeyFieldDiffers() {
        ConnectionTable6 t = table();
        create(t, 40000, 0);

        assertThat(in(t, 40000)).isNotNegative();
        assertThat(in(t, UDP, CLIENT_HI, CLIENT_LO, 40000, VIP_HI, VIP_LO, 80)).isEqualTo(-1);
        assertThat(in(t, TCP, CLIENT_HI + 1, CLIENT_LO, 40000, VIP_HI, VIP_LO, 80)).isEqualTo(-1);
        assertThat(in(t, TCP, CLIENT_HI, CLIENT_LO + 1, 40000, VIP_HI, VIP_LO, 80)).isEqualTo(-1);
        assertThat(in(t, 40001)).isEqualTo(-1);
        assertThat(in(t, TCP, CLIENT_HI, CLIENT_LO, 40000, VIP_HI ^ 1L << 63, VIP_LO, 80)).isEqualTo(-1);
        assertThat(in(t, TCP, CLIENT_HI, CLIENT_LO, 40000, VIP_HI, VIP_LO ^ 1L << 63, 80)).isEqualTo(-1);
        assertThat(in(t, TCP, CLIENT_HI, CLIENT_LO, 40000, VIP_HI, VIP_LO, 443)).isEqualTo(-1);
        // Halves swapped: the same 128 bits in the wrong order are another address.
        assertThat(in(t, TCP, CLIENT_LO, CLIENT_HI, 40000, VIP_HI, VIP_LO, 80)).isEqualTo(-1);
        assertThat(t.lookupOut(UDP, REAL_HI, REAL_LO, 8080, CLIENT_HI, CLIENT_LO, 40000)).isEqualTo(-1);
        assertThat(t.lookupOut(TCP, REAL_HI + 1, REAL_LO, 8080, CLIENT_HI, CLIENT_LO, 40000)).isEqualTo(-1);
        assertThat(t.lookupOut(TCP, REAL_HI, REAL_LO + 1, 8080, CLIENT_HI, CLIENT_LO, 40000)).isEqualTo(-1);
        assertThat(t.lookupOut(TCP, REAL_HI, REAL_LO, 8081, CLIENT_HI, CLIENT_LO, 40000)).isEqualTo(-1);
        assertThat(t.lookupOut(TCP, REAL_HI, REAL_LO, 8080, CLIENT_HI - 1, CLIENT_LO, 40000)).isEqualTo(-1);
        assertThat(t.lookupOut(TCP, REAL_HI, REAL_LO, 8080, CLIENT_HI, CLIENT_LO - 1, 40000)).isEqualTo(-1);
        assertThat(out(t, 39999)).isEqualTo(-1);
        // The inbound key is not an outbound key.
        assertThat(t.lookupOut(TCP, VIP_HI, VIP_LO, 80, CLIENT_HI, CLIENT_LO, 40000)).isEqualTo(-1);
    }

    @Test
    void shouldStoreEveryFieldWhenCreated() {
        ConnectionTable6 t = table();
        int slot = t.create(UDP, CLIENT_HI, CLIENT_LO, 65535, VIP_HI, VIP_LO, 53, REAL_HI, REAL_LO, 5353,
            ConnectionFlags.FWD_DROUTE | ConnectionFlags.NOOUTPUT, 65535, 0xFFFF_0102_0304_0506L, 11, 12, 5_000);

        assertThat(t.protocol(slot)).isEqualTo(UDP);
        assertThat(t.clientHi(slot)).isEqualTo(CLIENT_HI);
        assertThat(t.clientLo(slot)).isEqualTo(CLIENT_LO);
        assertThat(t.clientPort(slot)).isEqualTo(65535);
        assertThat(t.vipHi(slot)).isEqualTo(VIP_HI);
        assertThat(t.vipLo(slot)).isEqualTo(VIP_LO);
        assertThat(t.vport(slot)).isEqualTo(53);
        assertThat(t.realHi(slot)).isEqualTo(REAL_HI);
        assertThat(t.realLo(slot)).isEqualTo(REAL_LO);
        assertThat(t.realPort(slot)).isEqualTo(5353);
        assertThat(t.inPkts(slot)).isZero();
        assertThat(t.state(slot)).isEqualTo(TcpState.NONE);
        assertThat(t.flags(slot))
            .isEqualTo(ConnectionFlags.FWD_DROUTE | ConnectionFlags.NOOUTPUT | ConnectionFlags.INACTIVE);
        assertThat(t.inIfindex(slot)).isEqualTo(65535);
        assertThat(t.clientMac(slot)).isEqualTo(0x0102_0304_0506L);
        assertThat(t.destId(slot)).isEqualTo(11);
        assertThat(t.serviceId(slot)).isEqualTo(12);
        assertThat(t.expiresAtMs(slot)).isEqualTo(5_000 + ConnectionTimeouts.INITIAL_TIMEOUT_MS);
        assertThat(t.isLive(slot)).isTrue();
        assertThat(in(t, UDP, CLIENT_HI, CLIENT_LO, 65535, VIP_HI, VIP_LO, 53)).isEqualTo(slot);
    }

    @Test
    void shouldKeepNewValuesWhenFieldsAreSet() {
        ConnectionTable6 t = table();
        int slot = create(t, 40000, 0);

        t.state(slot, TcpState.SYNACK);
        t.flags(slot, ConnectionFlags.FWD_MASQ);
        t.destId(slot, 99);
        t.serviceId(slot, 98);
        t.clientMac(slot, 0x1122_3344_5566L);
        t.inIfindex(slot, 4);

        assertThat(t.state(slot)).isEqualTo(TcpState.SYNACK);
        assertThat(t.flags(slot)).isEqualTo(ConnectionFlags.FWD_MASQ);
        assertThat(t.destId(slot)).isEqualTo(99);
        assertThat(t.serviceId(slot)).isEqualTo(98);
        assertThat(t.clientMac(slot)).isEqualTo(0x1122_3344_5566L);
        assertThat(t.inIfindex(slot)).isEqualTo(4);
        assertThat(in(t, 40000)).isEqualTo(slot);
    }

    @Test
    void shouldCountInPktsAboveMacWhenPacketsArrive() {
        ConnectionTable6 t = table();
        int slot = create(t, 40000, 0);

        assertThat(t.incrementInPkts(slot)).isEqualTo(1);
        assertThat(t.incrementInPkts(slot)).isEqualTo(2);
        t.inPkts(slot, 0xffff);
        assertThat(t.incrementInPkts(slot)).isZero();
        t.inPkts(slot, 7);
        t.clientMac(slot, 0x1122_3344_5566L);

        assertThat(t.inPkts(slot)).isEqualTo(7);
        assertThat(t.clientMac(slot)).isEqualTo(0x1122_3344_5566L);
    }

    @Test
    void shouldKeepRecordWithinTwoCacheLinesWhenLaidOut() {
        assertThat(ConnectionTable6.RECORD_BYTES).isLessThanOrEqualTo(128);
        // Everything both lookups read sits in the first 64 bytes.
        assertThat(ConnectionTable6.OFF_NEXT_OUT + 4).isLessThanOrEqualTo(64);
        assertThat(ConnectionTable6.OFF_PROTOCOL).isLessThan(64);
        assertThat(ConnectionTable6.OFF_EXPIRES_AT_MS + 8).isLessThanOrEqualTo(ConnectionTable6.RECORD_BYTES);
    }

        @Test
    void shouldFindEveryConnectionWhenAllShareOneBucket() {
        ConnectionTable6 t = table(64, 1, 1000, 64);
        int[] slots = new int[50];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = create(t, 1000 + i, 0);
        }
        for (int i = 0; i < slots.length; i++) {
            assertThat(in(t, 1000 + i)).isEqualTo(slots[i]);
            assertThat(out(t, 1000 + i)).isEqualTo(slots[i]);
        }
        assertThat(in(t, 999)).isEqualTo(-1);
    }

    @Test
    void shouldKeepChainIntactWhenMiddleEntryIsRemoved() {
        ConnectionTable6 t = table(16, 1, 1000, 16);
        int a = create(t, 1, 0);
        int b = create(t, 2, 0);
        int c = create(t, 3, 0);

        t.remove(b);

        assertThat(in(t, 2)).isEqualTo(-1);
        assertThat(out(t, 2)).isEqualTo(-1);
        assertThat(in(t, 1)).isEqualTo(a);
        assertThat(in(t, 3)).isEqualTo(c);
        assertThat(out(t, 1)).isEqualTo(a);
        assertThat(out(t, 3)).isEqualTo(c);

        t.remove(c); // chain head
        t.remove(a); // last one
        assertThat(in(t, 1)).isEqualTo(-1);
        assertThat(in(t, 3)).isEqualTo(-1);
        assertThat(t.size()).isZero();
    }

    @Test
    void shouldSpreadFlowsWhenOneClientUsesSequentialPorts() {
        // 65536 flows in 65536 buckets: a random function gives a longest chain of about 8.
        for (long seed : new long[] {SEED, 1, -1, 0}) {
            try (ConnectionTable6 t = new ConnectionTable6(1 << 16, 1 << 16, 1000, 1024, seed)) {
                for (int port = 0; port < 1 << 16; port++) {
                    assertThat(create(t, port, 0)).isNotNegative();
                }
                assertThat(t.longestInboundChain()).as("seed %d", seed).isLessThanOrEqualTo(12);
                assertThat(in(t, 12345)).isNotNegative();
            }
        }
    }

    @Test
    void shouldSpreadFlowsWhenManyClientsUseOnePort() {
        try (ConnectionTable6 t = new ConnectionTable6(1 << 16, 1 << 16, 1000, 1024, SEED)) {
            for (int i = 0; i < 1 << 16; i++) {
                t.create(TCP, CLIENT_HI, 0x0001_0000L + i, 443, VIP_HI, VIP_LO, 443, REAL_HI, REAL_LO, 443, 0, 1,
                    MAC, 1, 1, 0);
            }
            assertThat(t.size()).isEqualTo(1 << 16);
            assertThat(t.longestInboundChain()).isLessThanOrEqualTo(12);
        }
    }

    @Test
    void shouldSpreadFlowsWhenClientsDifferOnlyInPrefix() {
        // 65536 clients ::1 in as many /64s (2001:db8:0:n::1): only the high half varies.
        try (ConnectionTable6 t = new ConnectionTable6(1 << 16, 1 << 16, 1000, 1024, SEED)) {
            for (int i = 0; i < 1 << 16; i++) {
                t.create(TCP, DOC | i, 1, 443, VIP_HI, VIP_LO, 443, REAL_HI, REAL_LO, 443, 0, 1, MAC, 1, 1, 0);
            }
            assertThat(t.longestInboundChain()).isLessThanOrEqualTo(12);
            assertThat(t.lookupIn(TCP, DOC | 4242, 1, 443, VIP_HI, VIP_LO, 443)).isNotNegative();
            assertThat(t.lookupOut(TCP, REAL_HI, REAL_LO, 443, DOC | 4242, 1, 443)).isNotNegative();
        }
    }

    // ------------------------------------------------------------------------------------------ capacity

    @Test
    void shouldReturnMinusOneAndCountWhenFull() {
        ConnectionTable6 t = table(4, 4, 1000, 16);
        for (int i = 0; i < 4; i++) {
            assertThat(create(t, i, 0)).isNotNegative();
        }

        assertThat(create(t, 100, 0)).isEqualTo(-1);
        assertThat(create(t, 101, 0)).isEqualTo(-1);

        assertThat(t.fullDrops()).isEqualTo(2);
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.capacity()).isEqualTo(4);
        assertThat(in(t, 100)).isEqualTo(-1);
    }

    @Test
    void shouldReuseFreedSlotWhenConnectionIsRemoved() {
        ConnectionTable6 t = table(4, 4, 1000, 16);
        int[] slots = new int[4];
        for (int i = 0; i < 4; i++) {
            slots[i] = create(t, i, 0);
        }

        t.remove(slots[2]);
        int reused = create(t, 50, 0);

        assertThat(reused).isEqualTo(slots[2]);
        assertThat(in(t, 50)).isEqualTo(reused);
        assertThat(in(t, 2)).isEqualTo(-1);
        assertThat(t.state(reused)).isEqualTo(TcpState.NONE);
        assertThat(t.fullDrops()).isZero();
    }

    @Test
    void shouldIgnoreRemoveWhenSlotIsFreeOrOutOfRange() {
        ConnectionTable6 t = table(4, 4, 1000, 16);
        int a = create(t, 1, 0);
        t.remove(a);

        t.remove(a);
        t.remove(-1);
        t.remove(4);

        assertThat(t.size()).isZero();
        assertThat(t.isLive(a)).isFalse();
        // The free list is not corrupted by the double remove: four distinct slots are still available.
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            slots.add(create(t, 10 + i, 0));
        }
        assertThat(slots).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(create(t, 20, 0)).isEqualTo(-1);
    }

    @Test
    void shouldRejectWhenSizesAreOutOfRange() {
        assertThatThrownBy(() -> new ConnectionTable6(0, 1024, 1000, 1024, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=0");
        assertThatThrownBy(() -> new ConnectionTable6(1024, 0, 1000, 1024, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucketCount=0");
        assertThatThrownBy(() -> new ConnectionTable6(1024, 1000, 1000, 1024, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucketCount=1000");
        assertThatThrownBy(() -> new ConnectionTable6(1024, 1024, 1000, 1000, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wheelSlots=1000");
        assertThatThrownBy(() -> new ConnectionTable6(1024, 1024, 0, 1024, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tickMs=0");
    }

    @Test
    void shouldHoldExactlyCapacityWhenItIsNoPowerOfTwo() {
        try (ConnectionTable6 t = new ConnectionTable6(1000)) {
            for (int i = 0; i < 1000; i++) {
                assertThat(create(t, i, 0)).isBetween(0, 999);
            }
            assertThat(create(t, 1000, 0)).isEqualTo(-1);
            assertThat(t.capacity()).isEqualTo(1000);
            assertThat(in(t, 999)).isNotNegative();
            // 1000 records, 1024 buckets twice, 4097 wheel lists.
            assertThat(t.memoryBytes()).isEqualTo(1000L * 128 + 2 * 4 * 1024 + 4 * 4097);
        }
    }

    @Test
    void shouldAllowSecondCloseWhenAlreadyClosed() {
        ConnectionTable6 t = new ConnectionTable6(16);
        create(t, 1, 0);
        t.close();
        t.close();
    }

    // ------------------------------------------------------------------------------------------ expiry

    @Test
    void shouldExpireNewConnectionAfterThreeSecondsWhenNoTransitionRuns() {
        ConnectionTable6 t = table();
        List<Integer> expired = new ArrayList<>();
        int slot = create(t, 1, 10_000);

        assertThat(t.expire(12_999, expired::add, 100)).isZero();
        assertThat(t.expire(13_000, expired::add, 100)).isEqualTo(1);

        assertThat(expired).containsExactly(slot);
        assertThat(t.size()).isZero();
        assertThat(in(t, 1)).isEqualTo(-1);
        assertThat(out(t, 1)).isEqualTo(-1);
    }

    @Test
    void shouldExpireAtStateTimeoutWhenConnectionIsLeftAlone() {
        for (int state = 0; state < TcpState.COUNT; state++) {
            ConnectionTable6 t = table();
            int slot = create(t, 1, 0);
            enter(t, slot, state, 1_000);
            long timeoutMs = TIMEOUTS.tcpTimeoutMs(state);
            List<Integer> expired = new ArrayList<>();

            for (long now = 1_000; now < 1_000 + timeoutMs; now += 500) {
                assertThat(t.expire(now, expired::add, 100)).as(TcpState.name(state) + " at " + now).isZero();
            }
            assertThat(t.expire(1_000 + timeoutMs, expired::add, 100)).as(TcpState.name(state)).isEqualTo(1);
            assertThat(expired).containsExactly(slot);
        }
    }

    @Test
    void shouldExpireUdpAfterUdpTimeoutWhenIdle() {
        ConnectionTable6 t = table();
        int slot = t.create(UDP, CLIENT_HI, CLIENT_LO, 5000, VIP_HI, VIP_LO, 53, REAL_HI, REAL_LO, 53, 0, 1, MAC, 1, 1,
            0);
        t.touch(slot, 0, TIMEOUTS.timeoutMs(UDP, t.state(slot)));
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(299_999, expired::add, 10)).isZero();
        assertThat(t.expire(300_000, expired::add, 10)).isEqualTo(1);
    }

    @Test
    void shouldExpireNoEarlierAndAtMostOneTickLaterWhenExpiryIsBetweenTicks() {
        ConnectionTable6 t = table(16, 16, 1000, 16);
        int slot = create(t, 1, 0);
        t.touch(slot, 0, 2_500);
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(2_499, expired::add, 10)).isZero();
        assertThat(t.expire(2_999, expired::add, 10)).isZero();
        assertThat(t.expire(3_000, expired::add, 10)).isEqualTo(1);
    }

    @Test
    void shouldNotExpireWhenTouchedBeforeTimeout() {
        ConnectionTable6 t = table();
        int slot = create(t, 1, 0);
        enter(t, slot, TcpState.ESTABLISHED, 0);
        List<Integer> expired = new ArrayList<>();

        long lastTouchMs = 0;
        for (long now = 0; now <= 10_000_000; now += 1_000) {
            if (now % 600_000 == 0) {
                t.touch(slot, now, TIMEOUTS.tcpTimeoutMs(TcpState.ESTABLISHED));
                lastTouchMs = now;
            }
            t.expire(now, expired::add, 100);
        }
        assertThat(expired).isEmpty();
        assertThat(in(t, 1)).isEqualTo(slot);

        assertThat(t.expire(lastTouchMs + 899_999, expired::add, 100)).isZero();
        assertThat(t.expire(lastTouchMs + 900_000, expired::add, 100)).isEqualTo(1);
    }

    @Test
    void shouldExpireOnTimeWhenTimeoutSpansManyWheelTurns() {
        // 1024 lists of 1 s: a revolution is 1024 s; 3000 s is almost three of them.
        ConnectionTable6 t = table(1 << 16, 1 << 16, 1000, 1024);
        int longSlot = create(t, 1, 0);
        t.touch(longSlot, 0, 3_000_000);
        int established = create(t, 2, 0);
        enter(t, established, TcpState.ESTABLISHED, 0);
        List<Integer> expired = new ArrayList<>();

        for (long now = 0; now < 900_000; now += 1_000) {
            assertThat(t.expire(now, expired::add, 100)).isZero();
        }
        assertThat(t.expire(900_000, expired::add, 100)).isEqualTo(1);
        assertThat(expired).containsExactly(established);
        for (long now = 901_000; now < 3_000_000; now += 1_000) {
            assertThat(t.expire(now, expired::add, 100)).as("at %d", now).isZero();
        }
        assertThat(t.expire(3_000_000, expired::add, 100)).isEqualTo(1);
        assertThat(expired).containsExactly(established, longSlot);
    }

    @Test
    void shouldHonourShorterTimeoutWhenStateChangeMovesExpiryEarlier() {
        ConnectionTable6 t = table();
        int slot = create(t, 1, 0);
        enter(t, slot, TcpState.ESTABLISHED, 0);        // due at 900 s
        List<Integer> expired = new ArrayList<>();
        assertThat(t.expire(5_000, expired::add, 10)).isZero(); // the wheel re-files it under 900 s
        enter(t, slot, TcpState.FIN_WAIT, 10_000);      // due at 130 s

        assertThat(t.expire(129_999, expired::add, 10)).isZero();
        assertThat(t.expire(130_000, expired::add, 10)).isEqualTo(1);
        assertThat(t.expire(900_000, expired::add, 10)).isZero();
    }

    @Test
    void shouldStopAtBudgetWhenManyConnectionsAreDue() {
        ConnectionTable6 t = table();
        for (int i = 0; i < 100; i++) {
            create(t, i, 0);
        }
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(5_000, expired::add, 10)).isEqualTo(10);
        assertThat(expired).hasSize(10);
        assertThat(t.size()).isEqualTo(90);
        assertThat(t.expire(5_000, expired::add, 0)).isZero();
        assertThat(t.expire(5_000, expired::add, 85)).isEqualTo(85);
        assertThat(t.expire(6_000, expired::add, 10)).isEqualTo(5);
        assertThat(t.expire(6_000, expired::add, 10)).isZero();
        assertThat(new HashSet<>(expired)).hasSize(100);
        assertThat(t.size()).isZero();
    }

    @Test
    void shouldResumeWithFreshTimesWhenBudgetRanOutMidTick() {
        ConnectionTable6 t = table();
        int a = create(t, 1, 0);
        int b = create(t, 2, 0);
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(3_000, expired::add, 1)).isEqualTo(1);
        int survivor = expired.get(0) == a ? b : a;
        t.touch(survivor, 3_000, 60_000); // the leftover of the tick is touched before the next call

        assertThat(t.expire(3_000, expired::add, 10)).isZero();
        assertThat(t.expire(62_999, expired::add, 10)).isZero();
        assertThat(t.expire(63_000, expired::add, 10)).isEqualTo(1);
        assertThat(expired).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void shouldBeSafeWhenRemovedConnectionWasStillFiledInWheel() {
        ConnectionTable6 t = table(4, 4, 1000, 16);
        int a = create(t, 1, 0);         // filed for 3 s
        int b = create(t, 2, 0);         // filed for 3 s
        t.remove(a);
        int c = create(t, 3, 1_000);     // reuses a's slot, due at 4 s
        assertThat(c).isEqualTo(a);
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(3_000, expired::add, 10)).isEqualTo(1);
        assertThat(expired).containsExactly(b);
        assertThat(in(t, 3)).isEqualTo(c);
        assertThat(t.expire(4_000, expired::add, 10)).isEqualTo(1);
        assertThat(expired).containsExactly(b, c);
        assertThat(t.size()).isZero();
    }

    @Test
    void shouldLetListenerReadRecordWhenConnectionExpires() {
        ConnectionTable6 t = table();
        int slot = create(t, 1, 0);
        int[] seen = new int[3];

        t.expire(3_000, s -> {
            seen[0] = t.destId(s);
            seen[1] = t.isLive(s) ? 1 : 0;
            seen[2] = t.flags(s);
        }, 10);

        assertThat(seen).containsExactly(7, 1, ConnectionFlags.INACTIVE);
        assertThat(t.isLive(slot)).isFalse();
    }

    @Test
    void shouldNotDoubleFreeWhenListenerRemovesExpiringSlot() {
        ConnectionTable6 t = table(2, 2, 1000, 16);
        create(t, 1, 0);
        t.expire(3_000, t::remove, 10);

        assertThat(t.size()).isZero();
        int x = create(t, 2, 3_000);
        int y = create(t, 3, 3_000);
        assertThat(x).isNotEqualTo(y);
        assertThat(create(t, 4, 3_000)).isEqualTo(-1);
    }

    @Test
    void shouldExpireEverythingWhenCalledAfterLongPause() {
        ConnectionTable6 t = table(1 << 10, 1 << 10, 1000, 64);
        for (int i = 0; i < 500; i++) {
            int slot = create(t, i, i * 1_000L);
            t.touch(slot, i * 1_000L, (i % 7) * 100_000L);
        }
        int survivor = create(t, 9999, 0);
        t.touch(survivor, 0, 100_000_000L);
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(10_000_000, expired::add, 10_000)).isEqualTo(500);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.expire(99_999_999, expired::add, 10_000)).isZero();
        assertThat(t.expire(100_000_000, expired::add, 10_000)).isEqualTo(1);
    }

    @Test
    void shouldKeepConnectionWhenListenerRearmsIt() {
        // IPVS keeps a persistence template that still controls connections: the listener re-arms it.
        ConnectionTable6 t = table();
        int slot = create(t, 1, 0);
        List<Integer> seen = new ArrayList<>();
        ExpiryListener keepOnce = s -> {
            seen.add(s);
            if (seen.size() == 1) {
                t.touch(s, 3_000, 60_000);
            }
        };

        assertThat(t.expire(3_000, keepOnce, 10)).isZero();
        assertThat(t.isLive(slot)).isTrue();
        assertThat(in(t, 1)).isEqualTo(slot);
        assertThat(t.expiresAtMs(slot)).isEqualTo(63_000);
        assertThat(t.expire(62_999, keepOnce, 10)).isZero();
        assertThat(t.expire(63_000, keepOnce, 10)).isEqualTo(1);
        assertThat(seen).containsExactly(slot, slot);
        assertThat(t.size()).isZero();
    }

    @Test
    void shouldFreeConnectionWhenListenerRearmsItToNow() {
        ConnectionTable6 t = table();
        int slot = create(t, 1, 0);

        assertThat(t.expire(3_000, s -> t.touch(s, 3_000, 0), 10)).isEqualTo(1);
        assertThat(t.isLive(slot)).isFalse();
    }

        @Test
    void shouldNotMoveBackwardsWhenTimeGoesBack() {
        ConnectionTable6 t = table();
        int slot = create(t, 1, 10_000);
        List<Integer> expired = new ArrayList<>();

        assertThat(t.expire(5_000, expired::add, 10)).isZero();
        assertThat(t.expire(12_000, expired::add, 10)).isZero();
        assertThat(t.expire(13_000, expired::add, 10)).isEqualTo(1);
        assertThat(expired).containsExactly(slot);
    }

    @Test
    void shouldNotAllocateWhenPacketPathOperationsRun() {
        ConnectionTable6 t = table(1 << 12, 1 << 12, 100, 256);
        ExpiryListener listener = slot -> { };
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] nowMs = {0};
        Runnable round = () -> {
            for (int i = 0; i < 2_000; i++) {
                long now = nowMs[0]++;
                int port = i & 1023;
                int slot = in(t, port);
                if (slot < 0) {
                    slot = create(t, port, now);
                }
                if (slot >= 0) {
                    int next = TcpStateMachine.next(TcpStateMachine.INPUT, TcpStateMachine.TCP_SYN, t.state(slot));
                    t.state(slot, next);
                    t.touch(slot, now, TIMEOUTS.timeoutMs(TCP, next) / 100);
                    out(t, port);
                    if ((i & 7) == 0) {
                        t.remove(slot);
                    }
                }
                t.expire(now, listener, 16);
            }
        };
        for (int warm = 0; warm < 200; warm++) {
            round.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        round.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // thousands of operations: one allocation each would be tens of KiB; the JIT may still allocate a few
        // hundred bytes once (a deoptimisation, an OSR compile) in the measured round
        assertThat(allocated).isLessThan(1024);
    }

    // ------------------------------------------------------------------------------------------ listing

    @Test
    void shouldVisitEveryLiveSlotWhenIterating() {
        ConnectionTable6 t = table(16, 16, 1000, 16);
        Set<Integer> live = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            live.add(create(t, i, 0));
        }
        int removed = in(t, 4);
        t.remove(removed);
        live.remove(removed);
        Set<Integer> visited = new HashSet<>();

        t.forEach(visited::add);

        assertThat(visited).isEqualTo(live);
    }

    @Test
    void shouldAllowRemovalWhenVisitorFlushesTable() {
        ConnectionTable6 t = table(16, 16, 1000, 16);
        for (int i = 0; i < 10; i++) {
            create(t, i, 0);
        }
        t.forEach(t::remove);
        assertThat(t.size()).isZero();
        assertThat(t.expire(1_000_000, s -> { throw new AssertionError("expired " + s); }, 100)).isZero();
    }

    // ------------------------------------------------------------------------------------------ model property

    /** One step: kind 0 create, 1 remove, 2 lookup; key index into a small key space so keys repeat. */
    record Op(int kind, int key) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 199))
            .as(Op::new).list().ofMaxSize(400);
    }

    private static int protocolOf(int key) {
        return key % 2 == 0 ? TCP : UDP;
    }

    /** Clients differ in the high half only (other /64s), or the low half only, so both halves are compared. */
    private static long clientHiOf(int key) {
        return DOC | ((key / 2) % 5 & 1);
    }

    private static long clientLoOf(int key) {
        return (key / 2) % 5 >> 1;
    }

    private static int clientPortOf(int key) {
        return 40_000 + key / 10;
    }

    private static long vipLoOf(int key) {
        return 1 + key % 3;
    }

    private static long realLoOf(int key) {
        return 1 + key % 4;
    }

    @Property(tries = 300)
    void shouldMatchHashMapModelWhenOperationsAreRandom(@ForAll("ops") List<Op> ops, @ForAll long seed) {
        int capacity = 32;
        try (ConnectionTable6 t = new ConnectionTable6(capacity, 4, 1000, 8, seed)) {
            Map<Integer, Integer> model = new HashMap<>(); // key -> slot
            long drops = 0;
            for (Op op : ops) {
                int k = op.key();
                Integer slot = model.get(k);
                switch (op.kind()) {
                    case 0 -> {
                        if (slot == null) {
                            int s = t.create(protocolOf(k), clientHiOf(k), clientLoOf(k), clientPortOf(k), VIP_HI,
                                vipLoOf(k), 80, REAL_HI, realLoOf(k), 8080, 0, 1, MAC, k, 0, 0);
                            if (model.size() == capacity) {
                                assertThat(s).isEqualTo(-1);
                                drops++;
                            } else {
                                assertThat(s).isBetween(0, capacity - 1);
                                assertThat(model).doesNotContainValue(s);
                                model.put(k, s);
                            }
                        }
                    }
                    case 1 -> {
                        if (slot != null) {
                            t.remove(slot);
                            model.remove(k);
                        }
                    }
                    default -> assertLookups(t, k, slot == null ? -1 : slot);
                }
                assertThat(t.size()).isEqualTo(model.size());
            }
            assertThat(t.fullDrops()).isEqualTo(drops);
            for (int k = 0; k < 200; k++) {
                assertLookups(t, k, model.getOrDefault(k, -1));
            }
            Set<Integer> visited = new HashSet<>();
            t.forEach(visited::add);
            assertThat(visited).isEqualTo(new HashSet<>(model.values()));
            for (Map.Entry<Integer, Integer> e : model.entrySet()) {
                assertThat(t.destId(e.getValue())).isEqualTo(e.getKey());
            }
        }
    }

    private static void assertLookups(ConnectionTable6 t, int k, int expected) {
        assertThat(t.lookupIn(protocolOf(k), clientHiOf(k), clientLoOf(k), clientPortOf(k), VIP_HI, vipLoOf(k), 80))
            .isEqualTo(expected);
        assertThat(t.lookupOut(protocolOf(k), REAL_HI, realLoOf(k), 8080, clientHiOf(k), clientLoOf(k),
            clientPortOf(k))).isEqualTo(expected);
    }
}
