package io.jlvs.keepalived;

import io.jlvs.control.Errno;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.keepalived.config.GlobalDefs;
import io.jlvs.vrrp.VrrpState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lvs_sync_daemon} as keepalived 2.2 runs it, against the real control model ({@link Ipvs}) whose data-plane
 * side records what it was asked to start and stop.
 */
class LvsSyncDaemonTest {
    private final List<String> calls = new ArrayList<>();
    private final List<String> logs = new ArrayList<>();
    private final Ipvs ipvs = new Ipvs();
    private final Log log = new Log() {
        @Override
        public void info(String message) {
            logs.add(message);
        }

        @Override
        public void detail(String message) {
            logs.add(message);
        }
    };

    LvsSyncDaemonTest() {
        ipvs.daemonControl(new Ipvs.DaemonControl() {
            @Override
            public void start(IpvsApi.SyncDaemonConfig d) {
                calls.add("start " + d.state() + " " + d.mcastInterface() + " id " + d.syncId());
            }

            @Override
            public void stop(String state) {
                calls.add("stop " + state);
            }
        });
    }

    private static GlobalDefs.SyncDaemon following(String instance, int syncId) {
        return new GlobalDefs.SyncDaemon("eth1", instance, syncId, -1, -1, -1, null);
    }

    private List<String> running() throws IpvsException {
        return ipvs.daemons().stream().map(IpvsApi.SyncDaemonConfig::state).toList();
    }

    @Test
    void shouldRunBackupDaemonWhenFollowedInstanceStartsAsBackup() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        assertThat(calls).containsExactly("start backup eth1 id 51");
        assertThat(running()).containsExactly("backup");
    }

    @Test
    void shouldSwapBackupForMasterWhenFollowedInstanceBecomesMaster() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        d.stateChanged("VI_1", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        assertThat(calls).containsExactly("start backup eth1 id 51", "stop backup", "start master eth1 id 51");
        assertThat(running()).containsExactly("master");
    }

    @Test
    void shouldSwapMasterForBackupWhenFollowedInstanceLeavesMaster() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", 7), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        d.stateChanged("VI_1", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        calls.clear();
        d.stateChanged("VI_1", false, VrrpState.MASTER, VrrpState.FAULT, 150);
        assertThat(calls).containsExactly("stop master", "start backup eth1 id 7");
        assertThat(running()).containsExactly("backup");
    }

    @Test
    void shouldIgnoreOtherInstancesAndSyncGroupsWhenFollowingOne() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        d.stateChanged("VI_2", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        d.stateChanged("VI_1", true, VrrpState.BACKUP, VrrpState.MASTER, 0);
        d.stateChanged("VI_1", false, VrrpState.INIT, VrrpState.BACKUP, 100);
        assertThat(calls).containsExactly("start backup eth1 id 51");
    }

    @Test
    void shouldStopTheCurrentDaemonWhenStopping() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        d.stateChanged("VI_1", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        d.stateChanged("VI_1", false, VrrpState.MASTER, VrrpState.STOP, 150); // the engine stopping: no backup
        calls.clear();
        d.stopAll();
        assertThat(calls).containsExactly("stop master");
        assertThat(running()).isEmpty();
    }

    @Test
    void shouldRunMasterAndBackupWithSyncidZeroWhenNoInstanceIsNamed() throws Exception {
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following(null, -1), -1, log);
        d.startBoth();
        assertThat(calls).containsExactly("start master eth1 id 0", "start backup eth1 id 0");
        assertThat(running()).containsExactly("master", "backup");
        d.stopAll();
        assertThat(running()).isEmpty();
    }

    @Test
    void shouldPassMaxlenPortTtlAndGroupWhenConfigured() throws Exception {
        GlobalDefs.SyncDaemon c = new GlobalDefs.SyncDaemon("eth1", "VI_1", 9, 1400, 8849, 2, "239.1.1.1");
        new LvsSyncDaemon(ipvs, c, 51, log).instanceStarted(VrrpState.BACKUP);
        assertThat(ipvs.daemons()).containsExactly(
                new IpvsApi.SyncDaemonConfig("backup", "eth1", 9, 1400, "239.1.1.1", 8849, 2));
    }

    @Test
    void shouldAdoptADaemonWhenIpvsadmStartedItBefore() throws Exception {
        ipvs.startDaemon(new IpvsApi.SyncDaemonConfig("backup", "eth1", 51, 0, null, 0, 0));
        calls.clear();
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        assertThat(logs).contains("IPVS: backup sync daemon already running");
        d.stateChanged("VI_1", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        assertThat(calls).containsExactly("stop backup", "start master eth1 id 51");
    }

    @Test
    void shouldLogAndCarryOnWhenTheDirectorRefuses() throws Exception {
        ipvs.daemonControl(new Ipvs.DaemonControl() {
            @Override
            public void start(IpvsApi.SyncDaemonConfig d) throws IpvsException {
                throw new IpvsException(Errno.EINVAL, "sync daemon: no interface eth1");
            }

            @Override
            public void stop(String state) {
                calls.add("stop " + state);
            }
        });
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, following("VI_1", -1), 51, log);
        d.instanceStarted(VrrpState.BACKUP);
        d.stateChanged("VI_1", false, VrrpState.BACKUP, VrrpState.MASTER, 150);
        assertThat(logs).anyMatch(l -> l.startsWith("IPVS cmd IPVS_STARTDAEMON(master) error"));
        assertThat(calls).isEmpty(); // nothing ran, so nothing is stopped
        assertThat(running()).isEmpty();
    }
}
