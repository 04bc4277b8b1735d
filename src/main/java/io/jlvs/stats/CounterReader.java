package io.jlvs.stats;

import io.jlvs.control.Stats;

/**
 * How the control plane reads what the workers count, summed over workers. Reads are racy by design
 * (each counter has one writer, the worker that owns it), as {@code ipvsadm -L} reads of kernel
 * per-CPU counters are.
 */
public interface CounterReader {
    CounterReader NONE = new CounterReader() {
        @Override
        public int activeConns(int destId) {
            return 0;
        }

        @Override
        public int inactiveConns(int destId) {
            return 0;
        }

        @Override
        public Stats destStats(int destId) {
            return Stats.ZERO;
        }

        @Override
        public Stats serviceStats(int serviceId) {
            return Stats.ZERO;
        }
    };

    int activeConns(int destId);

    int inactiveConns(int destId);

    Stats destStats(int destId);

    Stats serviceStats(int serviceId);
}
