package io.jlvs.ops;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.Netlink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RealServerSetupTest {
    private static final InetAddress VIP = InetAddress.ofLiteral("198.18.0.100");
    private static final InetAddress VIP2 = InetAddress.ofLiteral("198.18.0.101");

    @TempDir
    Path dir;

    @Test
    void shouldPutVipOnLoAndSetArpSysctlsWhenStartingDirectRouting() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);

        RealServerSetup.Report r = new RealServerSetup(host).start(VIP, RealServerSetup.Mode.DR);

        assertThat(r.ok()).as(r.problems().toString()).isTrue();
        assertThat(host.addresses).singleElement().satisfies(a -> {
            assertThat(a.ifindex()).isEqualTo(1);
            assertThat(a.address()).isEqualTo(VIP);
            assertThat(a.prefixLength()).isEqualTo(32);
            assertThat(a.label()).isEqualTo("lo:jlvs");
        });
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.all.arp_ignore", "1")
                .containsEntry("net.ipv4.conf.all.arp_announce", "2")
                .containsEntry("net.ipv4.conf.lo.arp_ignore", "1")
                .containsEntry("net.ipv4.conf.lo.arp_announce", "2");
        assertThat(host.changes.getLast()).as("the address comes after the ARP settings").startsWith("add 198.18.0.100");
        assertThat(r.steps()).anySatisfy(s -> assertThat(s.item()).startsWith("host route").isNotNull());
    }

    @Test
    void shouldChangeNothingWhenStartedTwice() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);
        host.changes.clear();

        RealServerSetup.Report r = setup.start(VIP, RealServerSetup.Mode.DR);

        assertThat(r.ok()).isTrue();
        assertThat(host.changes).isEmpty();
        assertThat(r.steps()).noneMatch(RealServerSetup.Step::changed);
    }

    @Test
    void shouldRestoreEverythingWhenStopped() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        host.sysctl.put("net.ipv4.conf.all.arp_announce", "1");
        Map<String, String> before = new HashMap<>(host.sysctl);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);

        RealServerSetup.Report r = setup.stop(VIP);

        assertThat(r.ok()).isTrue();
        assertThat(host.addresses).isEmpty();
        assertThat(host.sysctl).isEqualTo(before);
        assertThat(Files.exists(host.stateFile())).as("state file removed when nothing is left").isFalse();
    }

    @Test
    void shouldStopIdempotentlyWhenNothingWasStarted() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);

        RealServerSetup.Report r = new RealServerSetup(host).stop(VIP);

        assertThat(r.ok()).isTrue();
        assertThat(host.changes).isEmpty();
    }

    @Test
    void shouldLeaveAddressWhenItWasThereBeforeStart() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        host.addresses.add(new Netlink.Address(1, Libc.AF_INET, VIP, 32, "lo:0"));
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);

        setup.stop(VIP);

        assertThat(host.addresses).hasSize(1);
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.all.arp_ignore", "0");
    }

    @Test
    void shouldLeaveSysctlWhenSomeoneChangedItSinceStart() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);
        host.sysctl.put("net.ipv4.conf.all.arp_ignore", "2");

        RealServerSetup.Report r = setup.stop(VIP);

        assertThat(host.sysctl).containsEntry("net.ipv4.conf.all.arp_ignore", "2")
                .containsEntry("net.ipv4.conf.all.arp_announce", "0");
        assertThat(r.steps()).anySatisfy(s -> assertThat(s.note()).contains("changed by someone else"));
    }

    @Test
    void shouldKeepSharedSysctlsUntilTheLastVipStops() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);
        setup.start(VIP2, RealServerSetup.Mode.DR);

        setup.stop(VIP);
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.all.arp_ignore", "1");
        assertThat(host.addresses).extracting(Netlink.Address::address).containsExactly(VIP2);

        setup.stop(VIP2);
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.all.arp_ignore", "0");
        assertThat(host.addresses).isEmpty();
    }

    @Test
    void shouldBringTunl0UpAndLoosenRpFilterWhenStartingTunnel() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir).link(3, "tunl0", false);
        RealServerSetup setup = new RealServerSetup(host);

        RealServerSetup.Report r = setup.start(VIP, RealServerSetup.Mode.TUN);

        assertThat(r.ok()).as(r.problems().toString()).isTrue();
        assertThat(host.links.get("tunl0").up()).isTrue();
        assertThat(host.addresses).singleElement().extracting(Netlink.Address::ifindex).isEqualTo(3);
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.tunl0.rp_filter", "2")
                .containsEntry("net.ipv4.conf.tunl0.arp_ignore", "1")
                .containsEntry("net.ipv4.conf.all.rp_filter", "0");

        setup.stop(VIP);

        assertThat(host.links.get("tunl0").up()).isFalse();
        assertThat(host.sysctl).containsEntry("net.ipv4.conf.tunl0.rp_filter", "1");
    }

    @Test
    void shouldNameTheMissingModuleAndChangeNothingWhenTunl0DoesNotExist() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);

        RealServerSetup.Report r = new RealServerSetup(host).start(VIP, RealServerSetup.Mode.TUN);

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("tunl0 does not exist").contains("ipip");
        assertThat(host.changes).isEmpty();
    }

    @Test
    void shouldRefuseWhenVipIsOnAnArpInterface() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        host.addresses.add(new Netlink.Address(2, Libc.AF_INET, VIP, 32, "eth0"));

        RealServerSetup.Report r = new RealServerSetup(host).start(VIP, RealServerSetup.Mode.DR);

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("on another interface");
        assertThat(host.changes).isEmpty();
    }

    @Test
    void shouldRefuseOtherModeWhenVipIsAlreadySetUp() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir).link(3, "tunl0", true);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);

        RealServerSetup.Report r = setup.start(VIP, RealServerSetup.Mode.TUN);

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("set up for DR already");
    }

    @Test
    void shouldSetOnlyTheAddressWhenVipIsIpv6() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        InetAddress v6 = InetAddress.ofLiteral("2001:db8::100");

        RealServerSetup.Report r = new RealServerSetup(host).start(v6, RealServerSetup.Mode.DR);

        assertThat(r.ok()).isTrue();
        assertThat(host.addresses).singleElement().extracting(Netlink.Address::prefixLength).isEqualTo(128);
        assertThat(host.changes).singleElement().asString().startsWith("add ");
    }

    @Test
    void shouldReportEachMissingItemWhenStatusIsAskedOnAFreshHost() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);

        RealServerSetup.Report r = new RealServerSetup(host).status(VIP, RealServerSetup.Mode.DR);

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).contains("VIP 198.18.0.100 is not on lo", "net.ipv4.conf.all.arp_ignore is 0, wanted 1",
                "net.ipv4.conf.lo.arp_announce is 0, wanted 2");
        assertThat(host.changes).isEmpty();
    }

    @Test
    void shouldReportOkWhenStatusIsAskedAfterStart() throws IOException {
        FakeRealServerHost host = new FakeRealServerHost(dir);
        RealServerSetup setup = new RealServerSetup(host);
        setup.start(VIP, RealServerSetup.Mode.DR);

        assertThat(setup.status(VIP, RealServerSetup.Mode.DR).ok()).isTrue();
    }
}
