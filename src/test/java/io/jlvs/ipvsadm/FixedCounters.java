package io.jlvs.ipvsadm;

import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.Ipvs;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;
import io.jlvs.stats.CounterReader;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters with fixed values, set by service key and real-server address once the table is built; they
 * can be zeroed as the director's are ({@link #zero}, wired with {@link Ipvs#zeroer}): counters and rates
 * go to 0, connection counts stay.
 */
final class FixedCounters implements CounterReader {
    private final Ipvs ipvs;
    private final Map<Integer, Stats> serviceStats = new HashMap<>();
    private final Map<Integer, Stats> destStats = new HashMap<>();
    private final Map<Integer, int[]> conns = new HashMap<>();

    FixedCounters(Ipvs ipvs) {
        this.ipvs = ipvs;
    }

    FixedCounters service(ServiceKey key, Stats stats) {
        serviceStats.put(service(key).serviceId(), stats);
        return this;
    }

    FixedCounters dest(ServiceKey key, String address, int active, int inactive, Stats stats) {
        for (ConfigSnapshot.Dest d : service(key).dests()) {
            if (InetText.ntop(d.config().address()).equals(address)) {
                conns.put(d.destId(), new int[] {active, inactive});
                destStats.put(d.destId(), stats);
                return this;
            }
        }
        throw new IllegalArgumentException("no real server " + address + " in " + key);
    }

    private ConfigSnapshot.Service service(ServiceKey key) {
        for (ConfigSnapshot.Service s : ipvs.snapshot().services()) {
            if (s.config().key().equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no service " + key);
    }

    /** What the director's zeroer does to the ids {@link Ipvs#zero} names. */
    void zero(List<Integer> serviceIds, List<Integer> destIds) {
        serviceIds.forEach(id -> serviceStats.put(id, Stats.ZERO));
        destIds.forEach(id -> destStats.put(id, Stats.ZERO));
    }

    static Stats conns(long conns) {
        return new Stats(conns, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public int activeConns(int destId) {
        return conns.getOrDefault(destId, new int[2])[0];
    }

    @Override
    public int inactiveConns(int destId) {
        return conns.getOrDefault(destId, new int[2])[1];
    }

    @Override
    public Stats destStats(int destId) {
        return destStats.getOrDefault(destId, Stats.ZERO);
    }

    @Override
    public Stats serviceStats(int serviceId) {
        return serviceStats.getOrDefault(serviceId, Stats.ZERO);
    }
}
