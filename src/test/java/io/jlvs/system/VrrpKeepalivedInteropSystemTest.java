package io.jlvs.system;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jlvs's VRRP against the real keepalived (Debian's 2.2) on one segment, both roles: the same master is elected, the
 * higher priority preempts, stopping either side moves the VIP (in {@code ip addr}) and the client's neighbour entry
 * (from the gratuitous ARPs) to the other. An IPv6 VRRPv3 instance runs alongside and must follow the same master.
 */
class VrrpKeepalivedInteropSystemTest {
    private static final String VIP6 = "fd00:198:18:9::100";
    private VrrpBed bed;

    private static String config(int priority) {
        return """
                vrrp_instance VI_1 {
                  state BACKUP
                  interface eth0
                  virtual_router_id 51
                  priority %1$d
                  advert_int 1
                  authentication {
                    auth_type PASS
                    auth_pass jlvs-ha
                  }
                  virtual_ipaddress {
                    198.18.9.100/24 dev eth0 label eth0:vip
                  }
                }
                vrrp_instance VI_6 {
                  state BACKUP
                  interface eth0
                  virtual_router_id 61
                  priority %1$d
                  advert_int 1
                  virtual_ipaddress {
                    fd00:198:18:9::100/64
                  }
                }
                """.formatted(priority);
    }

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void shouldElectSameMasterAndMoveVipBothWaysWhenRunningBesideKeepalived() throws Exception {
        VrrpBed.requireEnvironment(true);
        bed = new VrrpBed("ka");
        try {
            run();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + bed.logs(), e);
        }
    }

    private void run() throws Exception {
        // keepalived (150) is master; jlvs (100) joins as backup and stays backup
        VrrpBed.Proc ka = bed.startKeepalived("d2", "keepalived-150", config(150));
        bed.awaitVipOn("d2", Duration.ofSeconds(8));
        VrrpBed.Proc low = bed.startJlvs("d1", "jlvs-100", config(100));
        VrrpBed.await("jlvs backup", Duration.ofSeconds(10), () -> low.output().contains("(VI_1) Entering BACKUP STATE"));
        Thread.sleep(4_000); // longer than jlvs's Master_Down_Interval (3.61 s): keepalived's adverts hold it back
        assertThat(bed.hasAddress("d1", VrrpBed.VIP)).isFalse();
        assertThat(bed.hasAddress("d2", VrrpBed.VIP)).isTrue();
        assertThat(bed.hasAddress("d2", VIP6)).isTrue();
        assertThat(bed.addressLine("d2", VIP6)).as("keepalived's IPv6 VIP").contains("nodad");
        assertThat(low.output()).doesNotContain("Entering MASTER STATE");

        // keepalived stops (priority 0): jlvs takes over after its skew, 0.61 s
        bed.term(ka);
        long takeover = bed.awaitVipOn("d1", Duration.ofSeconds(3));
        assertThat(takeover).isLessThan(2_000);
        VrrpBed.await("IPv6 VIP on d1", Duration.ofSeconds(3), () -> bed.hasAddress("d1", VIP6));
        assertThat(bed.addressLine("d1", VIP6)).as("jlvs's IPv6 VIP, without DAD as keepalived's").contains("nodad");
        VrrpBed.await("client's ARP entry pointing at d1", Duration.ofSeconds(8),
                () -> bed.clientNeighbour(VrrpBed.VIP).equals(VrrpBed.D1_MAC));

        // keepalived comes back with the higher priority and preempts jlvs
        VrrpBed.Proc ka2 = bed.startKeepalived("d2", "keepalived-150b", config(150));
        bed.awaitVipOn("d2", Duration.ofSeconds(8));
        VrrpBed.await("jlvs steps down", Duration.ofSeconds(3), () -> low.output().contains(
                "(VI_1) Master received advert from 198.18.9.12 with higher priority 150, ours 100"));
        VrrpBed.await("IPv6 VIP leaves d1", Duration.ofSeconds(3), () -> !bed.hasAddress("d1", VIP6));
        bed.term(low);

        // jlvs (200) preempts keepalived: jlvs MASTER with keepalived BACKUP
        VrrpBed.Proc high = bed.startJlvs("d1", "jlvs-200", config(200));
        bed.awaitVipOn("d1", Duration.ofSeconds(8));
        VrrpBed.await("keepalived steps down", Duration.ofSeconds(3), () -> ka2.output().contains(
                "(VI_1) Master received advert from 198.18.9.11 with higher priority 200, ours 150"));
        VrrpBed.await("IPv6 VIP on d1", Duration.ofSeconds(3), () -> bed.hasAddress("d1", VIP6)
                && !bed.hasAddress("d2", VIP6));
        VrrpBed.await("client's ARP entry pointing at d1", Duration.ofSeconds(8),
                () -> bed.clientNeighbour(VrrpBed.VIP).equals(VrrpBed.D1_MAC));

        // jlvs stops (priority 0): keepalived takes over at once
        bed.term(high);
        assertThat(bed.awaitVipOn("d2", Duration.ofSeconds(3))).isLessThan(2_000);
        assertThat(high.output()).contains("(VI_1) state MASTER -> STOP");
        VrrpBed.await("client's ARP entry pointing at d2", Duration.ofSeconds(8),
                () -> bed.clientNeighbour(VrrpBed.VIP).equals(VrrpBed.D2_MAC));
        assertThat(ka2.output()).doesNotContain("invalid", "Invalid", "mismatch");
        bed.term(ka2);
    }
}
