package io.jlvs.io.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class NetlinkTest {
    private static final int EEXIST = 17;
    private static final int ENODEV = 19;
    private static final int EADDRNOTAVAIL = 99;
    private static final int ENETUNREACH = 101;

    @Test
    void shouldListLoopbackWhenDumpingLinks() {
        try (Netlink netlink = Netlink.open()) {
            List<Netlink.Link> links = netlink.links();

            assertThat(links).anySatisfy(l -> {
                assertThat(l.name()).isEqualTo("lo");
                assertThat(l.ifindex()).isEqualTo(1);
                assertThat(l.loopback()).isTrue();
                assertThat(l.flags() & Netlink.IFF_LOOPBACK).isNotZero();
                assertThat(l.type()).isEqualTo(Netlink.ARPHRD_LOOPBACK);
                assertThat(l.mac()).isZero();
                assertThat(l.mtu()).isPositive();
            });
            assertThat(links).extracting(Netlink.Link::ifindex).doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldListLoopbackAddressWhenDumpingAddresses() throws Exception {
        try (Netlink netlink = Netlink.open()) {
            List<Netlink.Address> addresses = netlink.addresses();

            assertThat(addresses).contains(new Netlink.Address(1, Libc.AF_INET,
                    InetAddress.getByName("127.0.0.1"), 8, "lo"));
            assertThat(addresses).allSatisfy(a ->
                    assertThat(a.family()).isIn(Libc.AF_INET, Libc.AF_INET6));
        }
    }

    @Test
    void shouldRouteLocallyOverLoopbackWhenDestinationIs127001() throws Exception {
        try (Netlink netlink = Netlink.open()) {
            Netlink.Route route = netlink.routeTo(InetAddress.getByName("127.0.0.1"));

            assertThat(route.type()).isEqualTo(Netlink.RTN_LOCAL);
            assertThat(route.ifindex()).isEqualTo(1);
            assertThat(route.gateway()).isNull();
            assertThat(route.preferredSource()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        }
    }

    @Test
    void shouldAnswerRepeatedRequestsWhenOneSocketIsReused() throws Exception {
        try (Netlink netlink = Netlink.open()) {
            for (int i = 0; i < 50; i++) {
                assertThat(netlink.routeTo(InetAddress.getByName("127.0.0.1")).type()).isEqualTo(Netlink.RTN_LOCAL);
                assertThat(netlink.links()).isNotEmpty();
            }
        }
    }

    @Test
    void shouldRejectPrefixLengthWhenLongerThanAddress() throws Exception {
        try (Netlink netlink = Netlink.open()) {
            InetAddress address = InetAddress.getByName("198.18.0.1");

            assertThatThrownBy(() -> netlink.addAddress(1, address, 33, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefixLength=33");
            assertThatThrownBy(() -> netlink.addAddress(1, address, 24, "lo:a-label-too-long"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
        }
    }

    @Test
    void shouldThrowIllegalStateWhenUsedAfterClose() {
        Netlink netlink = Netlink.open();
        netlink.close();
        netlink.close();

        assertThatThrownBy(netlink::links).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Adds and deletes addresses and asks for routes in a namespace of its own, through
     * {@link NetlinkProbe} in a child JVM. Root only; uses a dummy link, or a veth pair where the
     * kernel has no dummy driver.
     */
    @Test
    void shouldAddRouteAndDeleteAddressesWhenRunInOwnNamespace() throws Exception {
        assumeThat(Libc.geteuid()).as("root").isZero();
        String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        String ns = "jlvs-nltest-" + suffix;
        String ifname = "jlvsnl" + suffix;
        assumeThat(run("ip", "netns", "add", ns).exitCode).as("ip netns add").isZero();
        try {
            if (inNs(ns, "ip", "link", "add", ifname, "type", "dummy").exitCode != 0) {
                check(inNs(ns, "ip", "link", "add", ifname, "type", "veth", "peer", "name", "jlvsnp" + suffix));
                check(inNs(ns, "ip", "link", "set", "jlvsnp" + suffix, "up"));
            }
            check(inNs(ns, "ip", "link", "set", "lo", "up"));
            check(inNs(ns, "ip", "link", "set", ifname, "up"));
            check(inNs(ns, "ip", "addr", "add", "198.18.1.1/24", "dev", ifname));
            check(inNs(ns, "ip", "-6", "addr", "add", "2001:db8:1::1/64", "dev", ifname, "nodad"));
            check(inNs(ns, "ip", "route", "add", "198.19.0.0/16", "via", "198.18.1.254"));
            check(inNs(ns, "ip", "-6", "route", "add", "2001:db8:2::/48", "via", "2001:db8:1::fe"));

            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Result probe = inNs(ns, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), NetlinkProbe.class.getName(), ifname);
            assertThat(probe.exitCode).as(probe.output).isZero();
            Map<String, List<String>> out = parse(probe.output);

            String ifindex = out.get("ifindex").getFirst();
            assertThat(Integer.parseInt(ifindex)).as(probe.output).isGreaterThan(1);
            assertThat(out.get("add4")).containsExactly("ok");
            assertThat(out.get("add4.again")).containsExactly("errno:" + EEXIST);
            assertThat(out.get("add6")).containsExactly("ok");
            assertThat(out.get("add6.nodad")).containsExactly("ok");
            // the kernel keeps IFA_F_NODAD on the address; ip(8) shows it as "nodad"
            String v6 = inNs(ns, "ip", "-6", "addr", "show", "dev", ifname).output;
            assertThat(v6).containsPattern("inet6 2001:db8:5::1/64 scope global [^\\n]*nodad");
            assertThat(out.get("add.badIfindex")).containsExactly("errno:" + ENODEV);
            assertThat(out.get("before")).contains(
                    ifindex + "|2|198.18.0.1|24|" + ifname + ":v",
                    ifindex + "|2|198.18.1.1|24|" + ifname,
                    ifindex + "|10|" + host("2001:db8::1") + "|64|null");

            assertThat(out.get("route.onlink4")).containsExactly(ifindex + "|null|198.18.0.1|" + Netlink.RTN_UNICAST);
            assertThat(out.get("route.local4").getFirst()).endsWith("|null|198.18.0.1|" + Netlink.RTN_LOCAL);
            assertThat(out.get("route.gateway4"))
                    .containsExactly(ifindex + "|198.18.1.254|198.18.1.1|" + Netlink.RTN_UNICAST);
            assertThat(out.get("route.unreachable4")).containsExactly("errno:" + ENETUNREACH);
            assertThat(out.get("route.onlink6").getFirst()).startsWith(ifindex + "|null|")
                    .endsWith("|" + Netlink.RTN_UNICAST);
            assertThat(out.get("route.gateway6").getFirst())
                    .startsWith(ifindex + "|" + host("2001:db8:1::fe") + "|").endsWith("|" + Netlink.RTN_UNICAST);
            assertThat(out.get("route.unreachable6")).containsExactly("errno:" + ENETUNREACH);

            assertThat(out.get("delete4")).containsExactly("ok");
            assertThat(out.get("delete6")).containsExactly("ok");
            assertThat(out.get("delete4.again")).containsExactly("errno:" + EADDRNOTAVAIL);
            assertThat(out.get("delete6.again")).containsExactly("errno:" + EADDRNOTAVAIL);
            assertThat(out.get("after"))
                    .contains(ifindex + "|2|198.18.1.1|24|" + ifname)
                    .noneMatch(a -> a.contains("|198.18.0.1|") || a.contains("|" + host("2001:db8::1") + "|"));
        } finally {
            run("ip", "netns", "del", ns);
        }
    }

    private static String host(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Map<String, List<String>> parse(String output) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
            }
        }
        return map;
    }

    private record Result(int exitCode, String output) {}

    private static void check(Result result) {
        assertThat(result.exitCode).as(result.output).isZero();
    }

    private static Result inNs(String ns, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    private static Result run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, String.join(" ", command) + ": timed out");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
