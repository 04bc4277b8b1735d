package io.jlvs.system;

import io.jlvs.app.Testbed;
import io.jlvs.io.xdp.XdpProbe;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * LVS/NAT end to end on {@code --transport af_xdp}: curl, wrk and a 1 MiB download through the VIP while
 * the XDP program steers the service traffic and the NAT replies into AF_XDP sockets on both of the
 * director's interfaces; {@code jlvs status} shows AF_XDP carried the frames.
 *
 * <p>The senders keep their offloads: a local sender on a veth leaves the TCP checksum partial, which
 * AF_XDP, unlike {@code PACKET_VNET_HDR}, does not mark; jlvs recognises such frames and completes their
 * checksums before sending ({@code io.xdp.PartialChecksum}, docs/af_xdp.md). Without that, every
 * segment from the client and the servers would arrive with a wrong checksum and curl would time out.
 */
class AfXdpNatSystemTest extends ForwardingSystemTestBase {
    private static final Pattern XDP_RX = Pattern.compile("\"rx_frames\" : (\\d+)");

    @Override
    String methodOption() {
        return "-m";
    }

    @Override
    String methodListName() {
        return "Masq";
    }

    @Override
    String[] directorOptions() {
        return new String[] {"--transport", "af_xdp"};
    }

    @Override
    void prepareBed() throws IOException {
        assumeTrue(XdpProbe.isAvailable(), "AF_XDP " + XdpProbe.describe());
    }

    @Test
    @Order(4)
    void shouldCarryServiceFramesOverAfXdpWhenStatusIsAsked() {
        Testbed.Result status = bed.jlvs("status");
        System.out.println("[AfXdpNatSystemTest] jlvs status:\n" + status.output());
        assertThat(status.output()).contains("\"transport\" : \"af_xdp").doesNotContain("af_xdp_fallback");
        long xdpRx = 0;
        Matcher m = XDP_RX.matcher(status.output().substring(status.output().indexOf("\"af_xdp\" :")));
        while (m.find()) {
            xdpRx += Long.parseLong(m.group(1));
        }
        assertThat(xdpRx).as("frames received on the AF_XDP sockets").isGreaterThan(1000);
        Testbed.Result link = bed.exec(bed.lb(), "ip", "-d", "link", "show", "eth0");
        assertThat(link.output()).containsPattern("prog/xdp|xdpgeneric|xdp ");
    }

    @Test
    @Order(6)
    void shouldDetachXdpProgramsWhenDirectorHasStopped() {
        assertThat(director.isAlive()).isFalse();
        for (String itf : List.of("eth0", "eth1")) {
            Testbed.Result link = bed.exec(bed.lb(), "ip", "-d", "link", "show", itf);
            assertThat(link.output()).as(itf).doesNotContainPattern("prog/xdp|xdpgeneric|\\bxdp\\b");
        }
    }
}
