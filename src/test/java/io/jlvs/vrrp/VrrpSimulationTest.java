package io.jlvs.vrrp;

import io.jlvs.vrrp.VrrpInstanceConfig.NotifyScripts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded simulations of whole VRRP segments with a manual clock: elections converge to one master of the highest
 * priority, failover happens exactly when vrrp.md §5 says, and keepalived's options (nopreempt, preempt_delay, sync
 * groups, tracking) behave as §7 and §11 describe.
 */
class VrrpSimulationTest {
    private static final long S = 1_000_000;

    private static VrrpInstanceConfig.Builder vi(int priority) {
        return VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(priority).vip("10.0.0.100/24");
    }

    private static long masters(SimNetwork net, String instance) {
        return net.hosts().stream().filter(h -> h.state(instance) == VrrpState.MASTER).count();
    }

    private static long transitionTime(SimHost h, String suffix) {
        return h.transitions.stream().filter(t -> t.endsWith(suffix)).mapToLong(t -> Long.parseLong(t.split(" ")[0]))
                .reduce((a, b) -> b).orElse(-1);
    }

    @Test
    void shouldTakeOverAfterMasterDownIntervalWhenMasterDies() {
        SimNetwork net = new SimNetwork(1);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.BACKUP);
        assertThat(transitionTime(a, "VI_1 BACKUP->MASTER")).isEqualTo(3_414_062); // 3 s + (256-150)/256 s
        assertThat(a.addresses).containsExactly("10.0.0.100");
        a.crash();
        net.runUntil(20 * S);
        // last advert at 3.414062 + 6 s; Master_Down_Interval for 100 is 3.609375 s
        assertThat(transitionTime(b, "VI_1 BACKUP->MASTER")).isEqualTo(9_414_062 + 3_609_375);
        assertThat(b.addresses).containsExactly("10.0.0.100");
        assertThat(b.announcements).isEqualTo(10); // 5 rounds at once, 5 more garp_master_delay (5 s) later
    }

    @Test
    void shouldTakeOverAfterSkewWhenMasterStopsWithPriorityZero() {
        SimNetwork net = new SimNetwork(2);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        a.stop();
        assertThat(a.addresses).isEmpty();
        assertThat(a.node().instance("VI_1").counters().priorityZeroSent()).isEqualTo(1);
        net.runUntil(20 * S);
        assertThat(transitionTime(b, "VI_1 BACKUP->MASTER")).isEqualTo(10 * S + 609_375);
        assertThat(b.node().instance("VI_1").counters().priorityZeroReceived()).isEqualTo(1);
    }

    @Test
    void shouldLearnMasterIntervalWhenVersion3() {
        SimNetwork net = new SimNetwork(3);
        SimHost a = new SimHost(net, "a", 1, vi(150).version(3).advertIntUs(500_000).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).version(3).advertIntUs(S).build());
        a.start();
        b.start();
        net.runUntil(5 * S);
        long firstMaster = transitionTime(a, "VI_1 BACKUP->MASTER");
        assertThat(firstMaster).isEqualTo(1_500_000 + 207_031);
        assertThat(b.node().instance("VI_1").masterDownIntervalUs()).isEqualTo(1_804_687);
        a.crash();
        net.runUntil(10 * S);
        long lastAdvert = firstMaster + 6 * 500_000;
        assertThat(transitionTime(b, "VI_1 BACKUP->MASTER")).isEqualTo(lastAdvert + 1_804_687);
    }

    @Test
    void shouldLetHigherAddressWinWhenPrioritiesAreEqual() {
        SimNetwork net = new SimNetwork(4);
        SimHost a = new SimHost(net, "a", 1, vi(100).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.BACKUP);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.log).anyMatch(l -> l.contains("same priority 100 but higher IP address than ours"));
    }

    @Test
    void shouldPreemptWhenHigherPriorityBackupStarts() {
        SimNetwork net = new SimNetwork(5);
        SimHost a = new SimHost(net, "a", 1, vi(100).build());
        SimHost b = new SimHost(net, "b", 2, vi(200).build());
        a.start();
        net.runUntil(10 * S);
        b.start();
        net.runUntil(20 * S);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.BACKUP);
        assertThat(a.addresses).isEmpty();
        assertThat(b.node().instance("VI_1").counters().lowerPriorityDiscarded()).isPositive();
    }

    @Test
    void shouldStayBackupWhenNopreempt() {
        SimNetwork net = new SimNetwork(6);
        SimHost a = new SimHost(net, "a", 1, vi(100).build());
        SimHost b = new SimHost(net, "b", 2, vi(200).nopreempt(true).build());
        a.start();
        net.runUntil(10 * S);
        b.start();
        net.runUntil(60 * S);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void shouldPreemptOnlyAfterDelayWhenPreemptDelay() {
        SimNetwork net = new SimNetwork(7);
        SimHost a = new SimHost(net, "a", 1, vi(100).build());
        SimHost b = new SimHost(net, "b", 2, vi(200).preemptDelayUs(10 * S).build());
        a.start();
        net.runUntil(10 * S);
        b.start();
        net.runUntil(60 * S);
        long takeover = transitionTime(b, "VI_1 BACKUP->MASTER");
        assertThat(takeover).isBetween(20 * S, 25 * S);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shouldStartAsMasterAtOnceWhenAddressOwner() {
        SimNetwork net = new SimNetwork(8);
        SimHost a = new SimHost(net, "a", 1, vi(255).stateMaster(true).build());
        a.start();
        net.runUntil(S);
        assertThat(transitionTime(a, "VI_1 BACKUP->MASTER")).isEqualTo(1);
    }

    @Test
    void shouldRunNotifyScriptsWithKeepalivedArgumentsWhenStateChanges() {
        SimNetwork net = new SimNetwork(9);
        NotifyScripts n = new NotifyScripts(List.of("/m.sh", "x"), List.of("/b.sh"), List.of("/f.sh"),
                List.of("/s.sh"), List.of("/n.sh"), null);
        SimHost a = new SimHost(net, "a", 1, vi(150).notifyScripts(n).build());
        a.start();
        net.runUntil(5 * S);
        a.link("eth0", false);
        a.link("eth0", true);
        a.stop();
        assertThat(a.notifies).containsExactly("/b.sh", "/n.sh INSTANCE VI_1 BACKUP 150", "/m.sh x",
                "/n.sh INSTANCE VI_1 MASTER 150", "/f.sh", "/n.sh INSTANCE VI_1 FAULT 150", "/b.sh",
                "/n.sh INSTANCE VI_1 BACKUP 150", "/s.sh", "/n.sh INSTANCE VI_1 STOP 150");
    }

    @Test
    void shouldSendPriorityZeroTwiceAndDropAddressesWhenMasterInterfaceFails() {
        SimNetwork net = new SimNetwork(10);
        SimHost a = new SimHost(net, "a", 1, vi(150).trackInterface("eth1", 0, false).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.links.put("eth1", true);
        a.start();
        b.start();
        net.runUntil(10 * S);
        a.link("eth1", false);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.FAULT);
        assertThat(a.addresses).isEmpty();
        assertThat(a.node().instance("VI_1").counters().priorityZeroSent()).isEqualTo(2);
        net.runUntil(11 * S);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
        a.link("eth1", true);
        net.runUntil(20 * S);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void shouldMoveMembersTogetherWhenSyncGroupMemberFails() {
        SimNetwork net = new SimNetwork(11);
        List<VrrpSyncGroupConfig> group = List.of(VrrpSyncGroupConfig.of("G", List.of("VI_1", "VI_2")));
        SimHost a = new SimHost(net, "a", 1, List.of(vi(200).build(),
                VrrpInstanceConfig.builder("VI_2", "eth0", 52).priority(200).vip("10.0.1.100/24")
                        .trackInterface("eth1", 0, false).build()), group, List.of());
        SimHost b = new SimHost(net, "b", 2, List.of(vi(100).build(),
                VrrpInstanceConfig.builder("VI_2", "eth0", 52).priority(100).vip("10.0.1.100/24").build()),
                group, List.of());
        a.links.put("eth1", true);
        a.start();
        b.start();
        net.runUntil(10 * S);
        assertThat(List.of(a.state("VI_1"), a.state("VI_2"))).containsOnly(VrrpState.MASTER);
        assertThat(List.of(b.state("VI_1"), b.state("VI_2"))).containsOnly(VrrpState.BACKUP);
        a.link("eth1", false);
        assertThat(List.of(a.state("VI_1"), a.state("VI_2"))).containsOnly(VrrpState.FAULT);
        net.runUntil(15 * S);
        assertThat(List.of(b.state("VI_1"), b.state("VI_2"))).containsOnly(VrrpState.MASTER);
        assertThat(b.addresses).containsExactlyInAnyOrder("10.0.0.100", "10.0.1.100");
        assertThat(b.transitions).anyMatch(t -> t.endsWith("G group BACKUP->MASTER"));
        a.link("eth1", true);
        net.runUntil(30 * S);
        assertThat(List.of(a.state("VI_1"), a.state("VI_2"))).containsOnly(VrrpState.MASTER);
        assertThat(List.of(b.state("VI_1"), b.state("VI_2"))).containsOnly(VrrpState.BACKUP);
        assertThat(b.addresses).isEmpty();
    }

    @Test
    void shouldFailOverWhenTrackScriptWeightChanges() {
        SimNetwork net = new SimNetwork(12);
        VrrpScriptConfig chk = new VrrpScriptConfig("chk", List.of("/bin/true"), S, 0, 60, false, 1, 2, false);
        SimHost a = new SimHost(net, "a", 1, List.of(vi(100).trackScript("chk", null, false).build()), List.of(),
                List.of(chk));
        SimHost b = new SimHost(net, "b", 2, vi(150).build());
        boolean[] healthy = {true};
        a.scriptOutcome = s -> healthy[0];
        a.start();
        b.start();
        net.runUntil(20 * S);
        assertThat(a.node().instance("VI_1").effectivePriority()).isEqualTo(160);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
        healthy[0] = false;
        net.runUntil(21 * S + 500_000);
        assertThat(a.node().instance("VI_1").effectivePriority()).isEqualTo(160); // fall 2: one failure is not enough
        net.runUntil(40 * S);
        assertThat(a.node().instance("VI_1").effectivePriority()).isEqualTo(100);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.BACKUP);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void shouldConvergeToOneHighestPriorityMasterWhenAdvertsAreLostDelayedAndNodesRestart(long seed) {
        SimNetwork net = new SimNetwork(seed);
        Random r = net.random;
        int n = 3 + r.nextInt(5);
        int version = r.nextBoolean() ? 2 : 3;
        List<SimHost> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VrrpInstanceConfig c = vi(1 + r.nextInt(254)).version(version)
                    .advertIntUs(version == 3 ? (1 + r.nextInt(3)) * 500_000L : S).build();
            SimHost h = new SimHost(net, "h" + i, 10 + i, c);
            hosts.add(h);
            net.at(r.nextLong(3 * S), h::start);
        }
        // phase 1: a hostile minute — loss, jitter, crashes and restarts
        net.lossProbability = 0.25;
        net.maxDelayUs = 200_000;
        for (int k = 0; k < 10; k++) {
            SimHost victim = hosts.get(r.nextInt(n));
            long at = 5 * S + r.nextLong(50 * S);
            net.at(at, () -> {
                if (victim.running()) {
                    if (r.nextBoolean()) {
                        victim.crash();
                    } else {
                        victim.stop();
                    }
                    net.at(net.nowUs + r.nextLong(10 * S), victim::start);
                }
            });
        }
        net.runUntil(70 * S);
        // phase 2: a quiet network must converge and then keep exactly one master at every event
        net.lossProbability = 0;
        net.maxDelayUs = 5_000;
        net.runUntil(100 * S);
        net.afterEvent = t -> assertThat(masters(net, "VI_1")).as("masters at %d µs, seed %d", t, seed).isEqualTo(1);
        net.runUntil(130 * S);
        int best = hosts.stream().mapToInt(h -> h.node().instance("VI_1").config().priority()).max().orElseThrow();
        SimHost master = hosts.stream().filter(h -> h.state("VI_1") == VrrpState.MASTER).findFirst().orElseThrow();
        assertThat(master.node().instance("VI_1").effectivePriority()).isEqualTo(best);
        assertThat(master.addresses).containsExactly("10.0.0.100");
        assertThat(hosts.stream().filter(h -> h != master).allMatch(h -> h.addresses.isEmpty())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
    void shouldOverlapMastersNoLongerThanOneDeliveryWhenAdvertsAreDelayed(long seed) {
        SimNetwork net = new SimNetwork(seed);
        Random r = net.random;
        List<SimHost> hosts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            SimHost h = new SimHost(net, "h" + i, 10 + i, vi(10 + 40 * i).build());
            hosts.add(h);
            h.start();
        }
        net.maxDelayUs = 300_000;
        net.runUntil(10 * S);
        long[] overlapSince = {-1};
        long[] longestOverlap = {0};
        net.afterEvent = t -> {
            if (masters(net, "VI_1") > 1) {
                overlapSince[0] = overlapSince[0] < 0 ? t : overlapSince[0];
                longestOverlap[0] = Math.max(longestOverlap[0], t - overlapSince[0]);
            } else {
                overlapSince[0] = -1;
            }
        };
        // masters and backups stop (priority 0) and come back (preempting): every handover crosses the jitter
        for (int k = 0; k < 8; k++) {
            SimHost h = hosts.get(r.nextInt(hosts.size()));
            net.runFor(5 * S);
            if (h.running()) {
                h.stop();
            }
            net.runFor(5 * S);
            h.start();
        }
        net.runFor(20 * S);
        assertThat(longestOverlap[0]).isLessThanOrEqualTo(net.maxDelayUs);
        assertThat(masters(net, "VI_1")).isEqualTo(1);
        assertThat(hosts.get(5).state("VI_1")).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shouldMoveTheMasterSyncDaemonWithMastershipWhenLvsSyncDaemonFollowsTheInstance() throws Exception {
        SimNetwork net = new SimNetwork(4);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        io.jlvs.control.Ipvs ipvsA = new io.jlvs.control.Ipvs();
        io.jlvs.control.Ipvs ipvsB = new io.jlvs.control.Ipvs();
        List<String> callsB = new ArrayList<>();
        for (io.jlvs.control.Ipvs ipvs : List.of(ipvsA, ipvsB)) {
            ipvs.daemonControl(new io.jlvs.control.Ipvs.DaemonControl() {
                @Override
                public void start(io.jlvs.control.IpvsApi.SyncDaemonConfig d) {
                    if (ipvs == ipvsB) {
                        callsB.add(net.nowUs + " start " + d.state());
                    }
                }

                @Override
                public void stop(String state) {
                    if (ipvs == ipvsB) {
                        callsB.add(net.nowUs + " stop " + state);
                    }
                }
            });
        }
        var config = new io.jlvs.keepalived.config.GlobalDefs.SyncDaemon("eth1", "VI_1", -1, -1, -1, -1, null);
        var syncA = new io.jlvs.keepalived.LvsSyncDaemon(ipvsA, config, 51, io.jlvs.keepalived.Log.NONE);
        var syncB = new io.jlvs.keepalived.LvsSyncDaemon(ipvsB, config, 51, io.jlvs.keepalived.Log.NONE);
        syncA.instanceStarted(VrrpState.BACKUP);
        syncB.instanceStarted(VrrpState.BACKUP);
        a.start();
        b.start();
        a.node().addListener(syncA);
        b.node().addListener(syncB);
        net.runUntil(10 * S);
        assertThat(ipvsA.daemons()).extracting(io.jlvs.control.IpvsApi.SyncDaemonConfig::state).containsExactly("master");
        assertThat(ipvsB.daemons()).extracting(io.jlvs.control.IpvsApi.SyncDaemonConfig::state).containsExactly("backup");
        a.crash();
        net.runUntil(20 * S);
        long takeover = transitionTime(b, "VI_1 BACKUP->MASTER");
        assertThat(callsB).containsExactly("0 start backup", takeover + " stop backup", takeover + " start master");
        assertThat(ipvsB.daemons()).extracting(io.jlvs.control.IpvsApi.SyncDaemonConfig::state).containsExactly("master");
    }

    @Test
    void shouldKeepMasterAndChangeOnlyTheChangedAddressesWhenReloadKeepsTheVirtualRouter() {
        SimNetwork net = new SimNetwork(5);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        long sentBefore = a.node().instance("VI_1").counters().advertsSent();
        int transitionsA = a.transitions.size();
        int announcementsBefore = a.announcements;
        // both directors get the new address list (else the backup rightly ignores the master's adverts); a's
        // instance is also renamed: the same virtual router (VRID 51 on eth0), so no election
        a.reload(VrrpInstanceConfig.builder("VI_RENAMED", "eth0", 51).priority(150).vip("10.0.0.101/24").build());
        b.reload(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("10.0.0.101/24").build());
        net.runUntil(20 * S);
        assertThat(a.state("VI_RENAMED")).isEqualTo(VrrpState.MASTER);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.BACKUP);
        assertThat(a.transitions).hasSize(transitionsA);
        assertThat(b.transitions.stream().filter(t -> t.endsWith("->MASTER"))).isEmpty();
        assertThat(a.addresses).containsExactly("10.0.0.101");
        assertThat(a.announcements).isGreaterThan(announcementsBefore);
        assertThat(a.node().instance("VI_RENAMED").counters().advertsSent()).isGreaterThan(sentBefore + 5);
        assertThat(a.log).anyMatch(l -> l.endsWith("(VI_RENAMED) kept MASTER state across reload"));
    }

    @Test
    void shouldKeepBackupWithoutElectionWhenReloadKeepsTheVirtualRouter() {
        SimNetwork net = new SimNetwork(6);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        b.reload(vi(120).build());
        net.runUntil(20 * S);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.BACKUP);
        assertThat(b.transitions.stream().filter(t -> t.endsWith("->MASTER"))).isEmpty();
        assertThat(b.node().instance("VI_1").effectivePriority()).isEqualTo(120);
        // a raised priority above the master's preempts after the reload, as keepalived does
        b.reload(vi(200).build());
        net.runUntil(30 * S);
        assertThat(b.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void shouldStopRemovedInstanceAndStartAddedOneWhenReloadChangesTheVirtualRouter() {
        SimNetwork net = new SimNetwork(7);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        SimHost b = new SimHost(net, "b", 2, vi(100).build());
        a.start();
        b.start();
        net.runUntil(10 * S);
        long reloadUs = net.nowUs;
        a.reload(VrrpInstanceConfig.builder("VI_1", "eth0", 52).priority(150).vip("10.0.0.200/24").build());
        net.runUntil(20 * S);
        // VRID 51 left a with priority 0: b takes it after its skew; VRID 52 is a new router a wins alone
        assertThat(a.log).anyMatch(l -> l.endsWith("(VI_1) no longer configured - removing"));
        assertThat(transitionTime(b, "VI_1 BACKUP->MASTER")).isEqualTo(reloadUs + 609_375);
        assertThat(b.addresses).containsExactly("10.0.0.100");
        assertThat(a.addresses).containsExactly("10.0.0.200");
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shouldLeaveEverythingRunningWhenReloadedConfigurationIsInconsistent() {
        SimNetwork net = new SimNetwork(8);
        SimHost a = new SimHost(net, "a", 1, vi(150).build());
        a.start();
        net.runUntil(10 * S);
        VrrpNode before = a.node();
        VrrpInstanceConfig bad = vi(150).trackScript("no_such_script", null, false).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.reload(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_script");
        assertThat(a.node()).isSameAs(before);
        assertThat(before.stopped()).isFalse();
        net.runUntil(20 * S);
        assertThat(a.state("VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.addresses).containsExactly("10.0.0.100");
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35, 36, 37, 38})
    void shouldElectOneHighestPriorityMasterPerInstanceWhenManyInstancesSufferLossCrashesAndReloads(long seed) {
        SimNetwork net = new SimNetwork(seed);
        Random r = net.random;
        int n = 3 + r.nextInt(3);
        int instances = 3 + r.nextInt(4);
        List<SimHost> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<VrrpInstanceConfig> configs = new ArrayList<>();
            for (int k = 0; k < instances; k++) {
                configs.add(instanceK(k, 1 + r.nextInt(254)));
            }
            SimHost h = new SimHost(net, "h" + i, 10 + i, configs, List.of(), List.of());
            hosts.add(h);
            net.at(r.nextLong(3 * S), h::start);
        }
        net.lossProbability = 0.2;
        net.maxDelayUs = 150_000;
        for (int e = 0; e < 12; e++) {
            SimHost victim = hosts.get(r.nextInt(n));
            long at = 5 * S + r.nextLong(50 * S);
            int kind = r.nextInt(3);
            net.at(at, () -> {
                if (!victim.running()) {
                    return;
                }
                if (kind == 0) {
                    victim.crash();
                    net.at(net.nowUs + r.nextLong(10 * S), victim::start);
                } else if (kind == 1) {
                    victim.stop();
                    net.at(net.nowUs + r.nextLong(10 * S), victim::start);
                } else {
                    // SIGHUP with new priorities for every instance (state kept, elections follow the priorities)
                    List<VrrpInstanceConfig> next = new ArrayList<>();
                    for (int k = 0; k < instances; k++) {
                        next.add(instanceK(k, 1 + r.nextInt(254)));
                    }
                    victim.reload(next.toArray(VrrpInstanceConfig[]::new));
                }
            });
        }
        net.runUntil(70 * S);
        net.lossProbability = 0;
        net.maxDelayUs = 5_000;
        net.runUntil(100 * S);
        net.afterEvent = t -> {
            for (int k = 0; k < instances; k++) {
                assertThat(masters(net, "VI_" + k)).as("masters of VI_%d at %d µs, seed %d", k, t, seed).isEqualTo(1);
            }
        };
        net.runUntil(130 * S);
        for (int k = 0; k < instances; k++) {
            String name = "VI_" + k;
            int best = hosts.stream().mapToInt(h -> h.node().instance(name).config().priority()).max().orElseThrow();
            SimHost master = hosts.stream().filter(h -> h.state(name) == VrrpState.MASTER).findFirst().orElseThrow();
            assertThat(master.node().instance(name).effectivePriority()).as("%s, seed %d", name, seed).isEqualTo(best);
            String vip = "10.0.0." + (100 + k);
            assertThat(master.addresses).contains(vip);
            assertThat(hosts.stream().filter(h -> h != master).noneMatch(h -> h.addresses.contains(vip))).isTrue();
        }
    }

    private static VrrpInstanceConfig instanceK(int k, int priority) {
        return VrrpInstanceConfig.builder("VI_" + k, "eth0", 51 + k).priority(priority).vip("10.0.0." + (100 + k) + "/24")
                .build();
    }
}
