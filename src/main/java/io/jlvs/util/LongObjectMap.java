package io.jlvs.util;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} keys to objects, built on the control path and read on the
 * packet path without boxing or allocation. Not thread-safe for writes; publish it whole.
 */
public final class LongObjectMap<V> {
    private long[] keys;
    private Object[] values;
    private boolean[] used;
    private int size;
    private int mask;

    public LongObjectMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new Object[cap];
        used = new boolean[cap];
        mask = cap - 1;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    public void put(long key, V value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        size++;
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] ok = keys;
        Object[] ov = values;
        boolean[] ou = used;
        keys = new long[ok.length * 2];
        values = new Object[ok.length * 2];
        used = new boolean[ok.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ou[i]) {
                put(ok[i], (V) ov[i]);
            }
        }
        Arrays.fill(ov, null);
    }
}
