package io.jlvs.control;

import java.net.InetAddress;
import java.util.List;

/**
 * The one control API of a director, the equivalent of the kernel's IPVS netlink commands.
 * {@code ipvsadm}, keepalived and the monitor all change the director through it; it is
 * implemented in-process by {@link Ipvs} and over the control socket by {@link ControlClient}.
 * A refused operation throws {@link IpvsException} and changes nothing.
 */
public interface IpvsApi {
    /** Version and connection-table size, for the {@code ipvsadm -L} header. */
    record Info(int versionMajor, int versionMinor, int versionPatch, int connTableSize) {}

    Info info() throws IpvsException;

    void addService(ServiceConfig service) throws IpvsException;

    void editService(ServiceConfig service) throws IpvsException;

    void deleteService(ServiceKey key) throws IpvsException;

    /** Removes every service ({@code ipvsadm -C}). */
    void flush() throws IpvsException;

    void addDest(ServiceKey service, DestConfig dest) throws IpvsException;

    void editDest(ServiceKey service, DestConfig dest) throws IpvsException;

    void deleteDest(ServiceKey service, InetAddress address, int port) throws IpvsException;

    /** Every service, in creation order, with real servers in list order (newest first). */
    List<ServiceInfo> services() throws IpvsException;

    /** One service; {@link Errno#ESRCH} when there is none. */
    ServiceInfo service(ServiceKey key) throws IpvsException;

    /** Connection timeouts in seconds, as {@code ipvsadm --set tcp tcpfin udp} sets them. */
    record Timeouts(int tcpSec, int tcpfinSec, int udpSec) {}

    /**
     * Zeroes the counters and rates of one service and its real servers ({@code ipvsadm -Z -t …}), or of all
     * when {@code key} is null; {@link Errno#ESRCH} when the service does not exist.
     */
    default void zero(ServiceKey key) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "zero");
    }

    default Timeouts timeouts() throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "timeouts");
    }

    /** Sets the timeouts; a 0 leaves that one unchanged ({@code ipvsadm --set}). */
    default void setTimeouts(Timeouts timeouts) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "setTimeouts");
    }

    /**
     * Adds a FULLNAT local address to a service's pool (DPVS: {@code ipvsadm --add-laddr -z ADDR -t VIP:PORT}).
     * {@link Errno#ESRCH} without the service, {@link Errno#EEXIST} when it is there already.
     */
    default void addLocalAddress(ServiceKey service, java.net.InetAddress address) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "addLocalAddress");
    }

    default void deleteLocalAddress(ServiceKey service, java.net.InetAddress address) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "deleteLocalAddress");
    }

    default List<java.net.InetAddress> localAddresses(ServiceKey service) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "localAddresses");
    }

    /**
     * A connection-sync daemon ({@code ipvsadm --start-daemon}).
     *
     * @param state          "master" or "backup"
     * @param mcastInterface interface for the multicast group
     * @param syncId         0..255 (a backup with 0 accepts every syncid)
     * @param maxLen         maximum message size, 0 = MTU-based default
     * @param mcastGroup     group address (null: 224.0.0.81)
     * @param mcastPort      UDP port (0: 8848)
     * @param mcastTtl       TTL (0: 1)
     */
    record SyncDaemonConfig(String state, String mcastInterface, int syncId, int maxLen, String mcastGroup,
                            int mcastPort, int mcastTtl) {}

    /** Starts a sync daemon; {@link Errno#EEXIST} when one in that state runs. */
    default void startDaemon(SyncDaemonConfig daemon) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "startDaemon");
    }

    /** Stops the daemon in that state ("master"/"backup"); {@link Errno#ESRCH} when none runs. */
    default void stopDaemon(String state) throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "stopDaemon");
    }

    /** The running sync daemons (master first). */
    default List<SyncDaemonConfig> daemons() throws IpvsException {
        return List.of();
    }

    /**
     * The connection table as the kernel's {@code /proc/net/ip_vs_conn} shows it, header line first
     * ({@code ipvsadm -Lc} renders it).
     */
    default List<String> connectionTable() throws IpvsException {
        throw new IpvsException(Errno.EOPNOTSUPP, "connectionTable");
    }
}
