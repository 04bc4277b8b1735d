package io.jlvs.sched;

import java.util.Arrays;

/**
 * A tournament tree over the servers of one service: every leaf holds a server's list index (or -1
 * when the server may not be chosen), every inner node the better of its two children, so the root is
 * the winner of the whole list. A change of one server replays only the matches on its path to the
 * root (log2 n of them); reading the winner costs nothing.
 *
 * <p>The kernel's least-load scans keep the first candidate in list order and let a later server
 * replace it only when strictly better. The tree gives the same answer because a left child always
 * holds earlier list positions than its right sibling and a right child wins only when {@link
 * Rule#better strictly better}: for any order that is a total preorder (cross-multiplied ratios are),
 * both pick the earliest server among the best.
 */
final class WinnerTree {
    /** What the tree ranks. Called with list indices; must not allocate. */
    interface Rule {
        /** Whether the i-th server takes part at all. */
        boolean eligible(int i);

        /** Whether server {@code later} beats server {@code earlier} (strictly; ties keep {@code earlier}). */
        boolean better(int later, int earlier);
    }

    private final Rule rule;
    private final int leaves;
    private final int[] node;

    WinnerTree(int count, Rule rule) {
        this.rule = rule;
        int size = 1;
        while (size < count) {
            size <<= 1;
        }
        leaves = size;
        node = new int[2 * size];
        Arrays.fill(node, -1);
        for (int i = 0; i < count; i++) {
            node[size + i] = rule.eligible(i) ? i : -1;
        }
        for (int k = size - 1; k >= 1; k--) {
            node[k] = match(node[2 * k], node[2 * k + 1]);
        }
    }

    /** The best eligible server, or -1 when none is eligible. */
    int winner() {
        return node[1];
    }

    /** Replays the matches above the i-th leaf after its eligibility or rank changed. */
    void update(int i) {
        int k = leaves + i;
        node[k] = rule.eligible(i) ? i : -1;
        for (k >>>= 1; k >= 1; k >>>= 1) {
            node[k] = match(node[2 * k], node[2 * k + 1]);
        }
    }

    private int match(int left, int right) {
        if (left < 0) {
            return right;
        }
        if (right < 0) {
            return left;
        }
        return rule.better(right, left) ? right : left;
    }
}
