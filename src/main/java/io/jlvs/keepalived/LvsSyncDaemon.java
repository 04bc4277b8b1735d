package io.jlvs.keepalived;

import io.jlvs.control.Errno;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.keepalived.config.GlobalDefs;
import io.jlvs.vrrp.VrrpState;
import io.jlvs.vrrp.VrrpStateListener;

/**
 * keepalived's {@code lvs_sync_daemon IF [INST] [id N] [maxlen N] [port N] [ttl N] [group IP]} as keepalived 2.2 runs
 * it ({@code ipvs_syncd_cmd}, {@code ipvs_syncd_master}/{@code _backup} in ipvswrapper.c):
 * <ul>
 *   <li>with a VRRP instance the sync daemon follows the instance (vrrp.c, vrrp_scheduler.c): a backup daemon when it
 *       starts, on entering MASTER the backup daemon is stopped and a master daemon started, on leaving MASTER the
 *       reverse; on shutdown the daemon of the current state is stopped. The syncid defaults to the instance's
 *       virtual_router_id.</li>
 *   <li>without one (check_daemon.c) the checker process runs both a master and a backup daemon from start to stop;
 *       the syncid defaults to 0.</li>
 * </ul>
 * Daemons are started and stopped through {@link IpvsApi} as {@code ipvsadm --start-daemon} does. Failures are
 * logged as keepalived logs IPVS command errors and never stop VRRP. {@link #stateChanged} runs on the VRRP thread.
 */
public final class LvsSyncDaemon implements VrrpStateListener {
    private static final String MASTER = "master";
    private static final String BACKUP = "backup";

    private final IpvsApi ipvs;
    private final GlobalDefs.SyncDaemon config;
    private final int syncId;
    private final Log log;
    private boolean masterRuns;
    private boolean backupRuns;
    private boolean closed;

    /**
     * @param instanceVrid the followed instance's virtual_router_id (the default syncid), or -1 when none is followed
     */
    public LvsSyncDaemon(IpvsApi ipvs, GlobalDefs.SyncDaemon config, int instanceVrid, Log log) {
        this.ipvs = ipvs;
        this.config = config;
        this.syncId = config.syncId() >= 0 ? config.syncId() : Math.max(0, instanceVrid);
        this.log = log;
    }

    /** The instance the daemon follows, or null (then both daemons run). */
    public String instance() {
        return config.vrrpInstance();
    }

    public int syncId() {
        return syncId;
    }

    /** Checker half without an instance: master and backup from now on. */
    public synchronized void startBoth() {
        if (closed) {
            return;
        }
        start(MASTER);
        start(BACKUP);
    }

    /** VRRP half: the instance starts; as keepalived's vrrp_init_state, a master daemon only for a master start. */
    public synchronized void instanceStarted(VrrpState state) {
        if (closed) {
            return;
        } else if (state == VrrpState.MASTER) {
            start(MASTER);
        } else {
            start(BACKUP);
        }
    }

    @Override
    public synchronized void stateChanged(String name, boolean group, VrrpState from, VrrpState to, int priority) {
        if (closed || group || !name.equals(config.vrrpInstance()) || from == to) {
            return;
        }
        if (to == VrrpState.MASTER) {
            stop(BACKUP);
            start(MASTER);
        } else if (from == VrrpState.MASTER && to != VrrpState.STOP) {
            stop(MASTER);
            start(BACKUP);
        }
    }

    /** Shutdown (or reload to a different setting): stops whatever this object started; it does nothing more. */
    public synchronized void stopAll() {
        closed = true;
        stop(MASTER);
        stop(BACKUP);
    }

    /** Whether two settings need the daemons restarted (keepalived's ipvs_syncd_changed). */
    public static boolean changed(GlobalDefs.SyncDaemon a, GlobalDefs.SyncDaemon b) {
        return !java.util.Objects.equals(a, b);
    }

    private void start(String state) {
        if (state.equals(MASTER) ? masterRuns : backupRuns) {
            return;
        }
        IpvsApi.SyncDaemonConfig d = new IpvsApi.SyncDaemonConfig(state, config.interfaceName(), syncId,
                Math.max(0, config.maxLen()), config.group(), Math.max(0, config.port()), Math.max(0, config.ttl()));
        try {
            ipvs.startDaemon(d);
            log.info("IPVS: started " + state + " sync daemon on " + config.interfaceName() + " syncid " + syncId
                    + (config.vrrpInstance() != null ? " (following " + config.vrrpInstance() + ")" : ""));
        } catch (IpvsException e) {
            if (e.errno() != Errno.EEXIST) {
                log.info("IPVS cmd IPVS_STARTDAEMON(" + state + ") error: " + e.getMessage());
                return;
            }
            // already running (ipvsadm started it): keepalived takes it over as its own
            log.info("IPVS: " + state + " sync daemon already running");
        }
        if (state.equals(MASTER)) {
            masterRuns = true;
        } else {
            backupRuns = true;
        }
    }

    private void stop(String state) {
        if (!(state.equals(MASTER) ? masterRuns : backupRuns)) {
            return;
        }
        if (state.equals(MASTER)) {
            masterRuns = false;
        } else {
            backupRuns = false;
        }
        try {
            ipvs.stopDaemon(state);
            log.info("IPVS: stopped " + state + " sync daemon");
        } catch (IpvsException e) {
            if (e.errno() != Errno.ESRCH) {
                log.info("IPVS cmd IPVS_STOPDAEMON(" + state + ") error: " + e.getMessage());
            }
        }
    }
}
