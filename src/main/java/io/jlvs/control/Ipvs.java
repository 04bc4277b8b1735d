package io.jlvs.control;

import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.CounterReader;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The director's service table and its one control API, in-process: the counterpart of the kernel's
 * {@code ip_vs_ctl.c}. Every operation validates first and changes nothing when it refuses; every
 * change publishes a new {@link ConfigSnapshot} to the data plane.
 *
 * <p>Real servers and services get stable ids that index the workers' counters. A deleted real
 * server's id goes to a trash list (as the kernel's {@code dest_trash}) and is reused only once no
 * connection counts it any more.
 */
public final class Ipvs implements IpvsApi {
    /** The IPVS version this director reports, as the kernel's {@code IP_VS_VERSION_CODE}. */
    public static final Info INFO = new Info(1, 2, 1, 4096);
    public static final int MAX_IDS = 1 << 16;

    private final Map<ServiceKey, ServiceEntry> services = new LinkedHashMap<>();
    private final List<MarkRule> marks = new ArrayList<>();
    private final List<Consumer<ConfigSnapshot>> listeners = new ArrayList<>();
    private final IdPool destIds = new IdPool();
    private final IdPool serviceIds = new IdPool();
    private volatile CounterReader counters = CounterReader.NONE;
    private Timeouts timeouts = new Timeouts(900, 120, 300);
    private final List<SyncDaemonConfig> daemons = new ArrayList<>();
    /** Starts (config) or stops (state only) the data plane's sync daemons; throws to refuse. */
    public interface DaemonControl {
        void start(SyncDaemonConfig daemon) throws IpvsException;

        void stop(String state);
    }

    private volatile DaemonControl daemonControl = new DaemonControl() {
        @Override
        public void start(SyncDaemonConfig daemon) {
        }

        @Override
        public void stop(String state) {
        }
    };
    private final List<Consumer<Timeouts>> timeoutListeners = new ArrayList<>();
    private volatile Consumer<List<Integer>[]> zeroer = ids -> { };
    private volatile java.util.function.Supplier<List<String>> connectionTable =
            () -> List.of(CONN_TABLE_HEADER);

    /** The first line of /proc/net/ip_vs_conn. */
    public static final String CONN_TABLE_HEADER =
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";
    private volatile ConfigSnapshot snapshot = ConfigSnapshot.EMPTY;
    private long version;

    private static final class ServiceEntry {
        ServiceConfig config;
        final int serviceId;
        /** Index 0 is the most recently added, as the kernel's list_add at the head. */
        final List<DestEntry> dests = new ArrayList<>();
        /** FULLNAT local addresses, in the order added. */
        final List<InetAddress> localAddresses = new ArrayList<>();

        ServiceEntry(ServiceConfig config, int serviceId) {
            this.config = config;
            this.serviceId = serviceId;
        }
    }

    private static final class DestEntry {
        DestConfig config;
        final int destId;

        DestEntry(DestConfig config, int destId) {
            this.config = config;
            this.destId = destId;
        }
    }

    /** Ids handed out in order; freed ids are reused once {@code reusable} says so. */
    private final class IdPool {
        private int next = 1;
        private final ArrayDeque<Integer> trash = new ArrayDeque<>();

        int allocate(boolean dest) throws IpvsException {
            for (Iterator<Integer> it = trash.iterator(); it.hasNext(); ) {
                int id = it.next();
                if (!dest || counters.activeConns(id) + counters.inactiveConns(id) == 0) {
                    it.remove();
                    return id;
                }
            }
            if (next >= MAX_IDS) {
                throw new IpvsException(Errno.ENOMEM, "no free id");
            }
            return next++;
        }

        void free(int id) {
            trash.addLast(id);
        }
    }

    public void counters(CounterReader reader) {
        this.counters = Objects.requireNonNull(reader);
    }

    /** Called with the current snapshot at once, then after every change (on the changing thread). */
    public synchronized void subscribe(Consumer<ConfigSnapshot> listener) {
        listeners.add(listener);
        listener.accept(snapshot);
    }

    /** Who zeroes counters: called with {service ids, dest ids} under the table lock. */
    public void zeroer(Consumer<List<Integer>[]> zeroer) {
        this.zeroer = Objects.requireNonNull(zeroer);
    }

    /** Where the connection table comes from (the director's workers). */
    public void connectionTable(java.util.function.Supplier<List<String>> source) {
        this.connectionTable = Objects.requireNonNull(source);
    }

    /** Called with the current timeouts at once, then after every change. */
    public synchronized void subscribeTimeouts(Consumer<Timeouts> listener) {
        timeoutListeners.add(listener);
        listener.accept(timeouts);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized void zero(ServiceKey key) throws IpvsException {
        List<Integer> serviceIdList = new ArrayList<>();
        List<Integer> destIdList = new ArrayList<>();
        for (ServiceEntry e : key == null ? services.values() : List.of(find(key, Errno.ESRCH))) {
            serviceIdList.add(e.serviceId);
            for (DestEntry d : e.dests) {
                destIdList.add(d.destId);
            }
        }
        zeroer.accept(new List[] {serviceIdList, destIdList});
    }

    @Override
    public synchronized Timeouts timeouts() {
        return timeouts;
    }

    @Override
    public synchronized void setTimeouts(Timeouts t) throws IpvsException {
        int max = Integer.MAX_VALUE / 1000;
        if (t.tcpSec() < 0 || t.tcpfinSec() < 0 || t.udpSec() < 0
                || t.tcpSec() > max || t.tcpfinSec() > max || t.udpSec() > max) {
            throw new IpvsException(Errno.EINVAL, "timeout out of range");
        }
        timeouts = new Timeouts(t.tcpSec() != 0 ? t.tcpSec() : timeouts.tcpSec(),
                t.tcpfinSec() != 0 ? t.tcpfinSec() : timeouts.tcpfinSec(),
                t.udpSec() != 0 ? t.udpSec() : timeouts.udpSec());
        for (Consumer<Timeouts> l : timeoutListeners) {
            l.accept(timeouts);
        }
    }

    public void daemonControl(DaemonControl control) {
        this.daemonControl = Objects.requireNonNull(control);
    }

    @Override
    public synchronized void startDaemon(SyncDaemonConfig d) throws IpvsException {
        if (!"master".equals(d.state()) && !"backup".equals(d.state())) {
            throw new IpvsException(Errno.EINVAL, "daemon state " + d.state());
        }
        for (SyncDaemonConfig x : daemons) {
            if (x.state().equals(d.state())) {
                throw new IpvsException(Errno.EEXIST, d.state() + " daemon runs");
            }
        }
        if (d.syncId() < 0 || d.syncId() > 255) {
            throw new IpvsException(Errno.EINVAL, "syncid " + d.syncId());
        }
        daemonControl.start(d);
        daemons.add(d);
        daemons.sort((a, b) -> a.state().compareTo(b.state()) * -1); // master before backup
    }

    @Override
    public synchronized void stopDaemon(String state) throws IpvsException {
        if (!daemons.removeIf(x -> x.state().equals(state))) {
            throw new IpvsException(Errno.ESRCH, "no " + state + " daemon");
        }
        daemonControl.stop(state);
    }

    @Override
    public synchronized List<SyncDaemonConfig> daemons() {
        return List.copyOf(daemons);
    }

    @Override
    public List<String> connectionTable() {
        return connectionTable.get();
    }

    public ConfigSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public Info info() {
        return INFO;
    }

    @Override
    public synchronized void addService(ServiceConfig service) throws IpvsException {
        checkServiceKey(service.key());
        if (services.containsKey(service.key())) {
            throw new IpvsException(Errno.EEXIST, "service " + service.key() + " exists");
        }
        checkScheduler(service);
        ServiceEntry e = new ServiceEntry(normalize(service), serviceIds.allocate(false));
        services.put(service.key(), e);
        publish();
    }

    @Override
    public synchronized void editService(ServiceConfig service) throws IpvsException {
        ServiceEntry e = find(service.key(), Errno.ESRCH);
        checkScheduler(service);
        e.config = normalize(service);
        publish();
    }

    @Override
    public synchronized void deleteService(ServiceKey key) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        services.remove(key);
        for (DestEntry d : e.dests) {
            destIds.free(d.destId);
        }
        serviceIds.free(e.serviceId);
        publish();
    }

    @Override
    public synchronized void flush() {
        for (ServiceEntry e : services.values()) {
            for (DestEntry d : e.dests) {
                destIds.free(d.destId);
            }
            serviceIds.free(e.serviceId);
        }
        services.clear();
        publish();
    }

    @Override
    public synchronized void addDest(ServiceKey key, DestConfig dest) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        checkDest(e, dest);
        if (indexOf(e, dest.address(), dest.port()) >= 0) {
            throw new IpvsException(Errno.EEXIST, "destination " + dest.address().getHostAddress()
                    + ":" + dest.port() + " exists");
        }
        e.dests.addFirst(new DestEntry(dest, destIds.allocate(true)));
        publish();
    }

    @Override
    public synchronized void editDest(ServiceKey key, DestConfig dest) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        checkDest(e, dest);
        int i = indexOf(e, dest.address(), dest.port());
        if (i < 0) {
            throw new IpvsException(Errno.ENOENT, "no destination " + dest.address().getHostAddress()
                    + ":" + dest.port());
        }
        e.dests.get(i).config = dest;
        publish();
    }

    @Override
    public synchronized void deleteDest(ServiceKey key, InetAddress address, int port) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        int i = indexOf(e, address, port);
        if (i < 0) {
            throw new IpvsException(Errno.ENOENT, "no destination " + address.getHostAddress() + ":" + port);
        }
        destIds.free(e.dests.remove(i).destId);
        publish();
    }

    /** Appends a marking rule (the data plane's counterpart of an iptables MARK rule). */
    public synchronized void addMarkRule(MarkRule rule) throws IpvsException {
        rule.validated();
        if (marks.contains(rule)) {
            throw new IpvsException(Errno.EEXIST, "rule exists: " + rule.describe());
        }
        marks.add(rule);
        publish();
    }

    public synchronized void deleteMarkRule(MarkRule rule) throws IpvsException {
        if (!marks.remove(rule)) {
            throw new IpvsException(Errno.ENOENT, "no such rule: " + rule.describe());
        }
        publish();
    }

    public synchronized List<MarkRule> markRules() {
        return List.copyOf(marks);
    }

    @Override
    public synchronized void addLocalAddress(ServiceKey key, InetAddress address) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        if ((address instanceof java.net.Inet6Address) != (key.af() == 10)) {
            throw new IpvsException(Errno.EAFNOSUPPORT, "local address " + address.getHostAddress()
                    + ": not of the service's address family");
        }
        if (e.localAddresses.contains(address)) {
            throw new IpvsException(Errno.EEXIST, "local address " + address.getHostAddress() + " exists");
        }
        e.localAddresses.add(address);
        publish();
    }

    @Override
    public synchronized void deleteLocalAddress(ServiceKey key, InetAddress address) throws IpvsException {
        ServiceEntry e = find(key, Errno.ESRCH);
        if (!e.localAddresses.remove(address)) {
            throw new IpvsException(Errno.ENOENT, "no local address " + address.getHostAddress());
        }
        publish();
    }

    @Override
    public synchronized List<InetAddress> localAddresses(ServiceKey key) throws IpvsException {
        return List.copyOf(find(key, Errno.ESRCH).localAddresses);
    }

    @Override
    public synchronized List<ServiceInfo> services() {
        List<ServiceInfo> out = new ArrayList<>(services.size());
        for (ServiceEntry e : services.values()) {
            out.add(info(e));
        }
        return out;
    }

    @Override
    public synchronized ServiceInfo service(ServiceKey key) throws IpvsException {
        return info(find(key, Errno.ESRCH));
    }

    private ServiceInfo info(ServiceEntry e) {
        CounterReader c = counters;
        List<DestInfo> dests = new ArrayList<>(e.dests.size());
        for (DestEntry d : e.dests) {
            dests.add(new DestInfo(d.config, c.activeConns(d.destId), c.inactiveConns(d.destId), 0,
                    c.destStats(d.destId)));
        }
        return new ServiceInfo(e.config, c.serviceStats(e.serviceId), List.copyOf(dests));
    }

    private ServiceEntry find(ServiceKey key, Errno missing) throws IpvsException {
        ServiceEntry e = services.get(key);
        if (e == null) {
            throw new IpvsException(missing, "no service " + key);
        }
        return e;
    }

    private static int indexOf(ServiceEntry e, InetAddress address, int port) {
        for (int i = 0; i < e.dests.size(); i++) {
            DestConfig d = e.dests.get(i).config;
            if (d.address().equals(address) && d.port() == port) {
                return i;
            }
        }
        return -1;
    }

    private static void checkServiceKey(ServiceKey key) throws IpvsException {
        // as ip_vs_is_af_valid: AF_INET or AF_INET6 only, and an address of that family
        if (key.af() != 2 && key.af() != 10) {
            throw new IpvsException(Errno.EAFNOSUPPORT, "address family " + key.af());
        }
        if (key.hasFwmark()) {
            return;
        }
        if (key.address() == null || key.protocol() == null || key.port() < 0 || key.port() > 65535
                || (key.address() instanceof java.net.Inet6Address) != (key.af() == 10)) {
            throw new IpvsException(Errno.EINVAL, "bad service " + key);
        }
    }

    private static void checkScheduler(ServiceConfig service) throws IpvsException {
        if (!SchedulerRegistry.exists(service.scheduler())) {
            throw new IpvsException(Errno.ENOENT, "scheduler " + service.scheduler() + " not found");
        }
    }

    /** ONEPACKET only applies to UDP: the kernel strips it from TCP/SCTP services (fwmark ones keep it). */
    private static ServiceConfig normalize(ServiceConfig s) {
        int flags = s.flags();
        if (!s.key().hasFwmark() && s.key().protocol() != Protocol.UDP) {
            flags &= ~ServiceConfig.F_ONEPACKET;
        }
        return flags == s.flags() ? s
                : new ServiceConfig(s.key(), s.scheduler(), flags, s.persistenceTimeoutS(), s.netmask(),
                        s.persistenceEngine());
    }

    private static void checkDest(ServiceEntry e, DestConfig dest) throws IpvsException {
        // as ip_vs_genl_parse_dest: a full real server has an address and a forwarding method
        if (dest == null || dest.address() == null || dest.method() == null || dest.port() < 0 || dest.port() > 65535) {
            throw new IpvsException(Errno.EINVAL, "real server without address, port or forwarding method");
        }
        if (dest.weight() < 0) {
            throw new IpvsException(Errno.ERANGE, "weight " + dest.weight());
        }
        if (dest.lowerThreshold() > dest.upperThreshold()) {
            throw new IpvsException(Errno.ERANGE, "lower threshold above upper threshold");
        }
        int destAf = dest.address() instanceof java.net.Inet6Address ? 10 : 2;
        if (destAf != e.config.key().af() && dest.method() != ForwardMethod.TUNNEL) {
            throw new IpvsException(Errno.EAFNOSUPPORT, "address family of " + dest.address());
        }
    }

    private void publish() {
        List<ConfigSnapshot.Service> list = new ArrayList<>(services.size());
        for (ServiceEntry e : services.values()) {
            List<ConfigSnapshot.Dest> dests = new ArrayList<>(e.dests.size());
            for (DestEntry d : e.dests) {
                dests.add(new ConfigSnapshot.Dest(d.destId, d.config));
            }
            list.add(new ConfigSnapshot.Service(e.serviceId, e.config, List.copyOf(dests), List.copyOf(e.localAddresses)));
        }
        snapshot = new ConfigSnapshot(++version, List.copyOf(list), List.copyOf(marks));
        for (Consumer<ConfigSnapshot> l : listeners) {
            l.accept(snapshot);
        }
    }
}
