package io.jlvs.sched;

import java.util.Arrays;

/**
 * A tournament tree over the servers of one service: every leaf holds a server's list index (or -1
 * when the server may not be chosen) with its rank key, every inner node the winner of its two
 * children with the winner's key, so the root is the winner of the whole list. A change of one server
 * replays only the matches on its path to the root (log2 n of them) and stops as soon as a node comes
 * out unchanged; reading the winner costs nothing.
 *
 * <p>The kernel's least-load scans keep the first candidate in list order and let a later server
 * replace it only when strictly better. The tree gives the same answer because a left child always
 * holds earlier list positions than its right sibling and the right one wins only when strictly
 * better: for any order that is a total preorder (cross-multiplied ratios are), both pick the earliest
 * server among the best.
 */
final class WinnerTree {
    /** How keys {@code (a, b)} rank; the orders the kernel's schedulers use. */
    enum Order {
        /** Smaller {@code a} as an unsigned 32-bit number wins (lc's overhead). */
        LEAST_UNSIGNED,
        /** Smaller {@code a / b} wins, compared as {@code a1 * b2 > a2 * b1} in 64 bits (wlc, sed). */
        LEAST_RATIO,
        /** Larger {@code a} wins (fo's and ovf's weight). */
        GREATEST,
        /** Nothing beats an earlier server: the first eligible one wins (nq's idle servers). */
        EARLIEST
    }

    private final Order order;
    private final int leaves;
    private final int[] node;
    private final long[] key;

    WinnerTree(int count, Order order) {
        this.order = order;
        int size = 1;
        while (size < count) {
            size <<= 1;
        }
        leaves = size;
        node = new int[2 * size];
        key = new long[2 * size];
        Arrays.fill(node, -1);
    }

    /** Sets a leaf without replaying matches; call {@link #rebuild} after the initial fill. */
    void init(int i, boolean eligible, int a, int b) {
        int k = leaves + i;
        node[k] = eligible ? i : -1;
        key[k] = pack(a, b);
    }

    /** Plays every match once, bottom up. */
    void rebuild() {
        for (int k = leaves - 1; k >= 1; k--) {
            play(k, 2 * k);
        }
    }

    /** The best eligible server, or -1 when none is eligible. */
    int winner() {
        return node[1];
    }

    /** The i-th server's eligibility or key changed: replay the matches above its leaf. */
    void update(int i, boolean eligible, int a, int b) {
        int k = leaves + i;
        node[k] = eligible ? i : -1;
        key[k] = pack(a, b);
        while (k > 1) {
            int parent = k >>> 1;
            int oldWinner = node[parent];
            long oldKey = key[parent];
            play(parent, k & ~1);
            if (node[parent] == oldWinner && key[parent] == oldKey) {
                return;
            }
            k = parent;
        }
    }

    /**
     * Stores in {@code parent} the winner of children {@code left} and {@code left + 1}. Which child
     * wins is data-dependent and unpredictable, so it is computed as a 0/1 offset with sign-bit
     * arithmetic rather than branched on (a mispredicted branch per level would cost more than the
     * rest of the match).
     */
    private void play(int parent, int left) {
        int right = left + 1;
        int from;
        if (node[left] < 0) {
            from = right;
        } else if (node[right] < 0) {
            from = left;
        } else {
            long kr = key[right];
            long kl = key[left];
            from = left + rightBeats((int) (kr >> 32), (int) kr, (int) (kl >> 32), (int) kl);
        }
        node[parent] = node[from];
        key[parent] = key[from];
    }

    /** Both key parts in one word, so a match loads and stores one value per side. */
    private static long pack(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    /** 1 when the later (right) server's key beats the earlier one's strictly, else 0. */
    private int rightBeats(int laterA, int laterB, int earlierA, int earlierB) {
        long margin = switch (order) {
            // later < earlier, unsigned: flip the sign bits and compare as signed longs
            case LEAST_UNSIGNED -> (long) (earlierA ^ Integer.MIN_VALUE) - (laterA ^ Integer.MIN_VALUE);
            // earlierA / earlierB > laterA / laterB, cross-multiplied (both weights positive)
            case LEAST_RATIO -> (long) earlierA * laterB - (long) laterA * earlierB;
            case GREATEST -> (long) laterA - earlierA;
            case EARLIEST -> 0;
        };
        return (int) (-margin >>> 63);
    }
}
