package io.jlvs.vrrp;

import io.jlvs.keepalived.config.Accounts;
import io.jlvs.keepalived.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** keepalived.conf VRRP blocks, parsed by io.jlvs.keepalived.config, become the records the engine runs. */
class KeepalivedVrrpAdapterTest {
    private static final long S = 1_000_000;

    private VrrpSettings load(Path dir, String text, List<String> warnings) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, text);
        ConfigLoader.Result r = ConfigLoader.load(new ConfigLoader.Options(conf.toString(), dir, false, "test",
                Accounts.SYSTEM, 0, n -> true, n -> false));
        assertThat(r.config()).as(r.diagnostics().toString()).isNotNull();
        return KeepalivedVrrpAdapter.settings(r.config(), warnings::add);
    }

    @Test
    void shouldCarryEveryRunKeywordWhenConfigIsComplete(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        VrrpSettings s = load(dir, """
                global_defs {
                  vrrp_garp_master_repeat 3
                }
                vrrp_script chk {
                  script "/bin/true"
                  interval 2
                  weight -20
                  fall 3
                  rise 2
                }
                vrrp_instance VI_1 {
                  state MASTER
                  interface eth0
                  virtual_router_id 51
                  priority 150
                  advert_int 2
                  nopreempt
                  authentication {
                    auth_type PASS
                    auth_pass secret
                  }
                  unicast_src_ip 198.18.9.11
                  unicast_peer {
                    198.18.9.12 min_ttl 250 max_ttl 255
                  }
                  garp_master_delay 2
                  virtual_ipaddress {
                    198.18.9.100/24 dev eth0 label eth0:vip
                    198.18.9.101
                  }
                  virtual_ipaddress_excluded {
                    2001:db8::1/64
                  }
                  track_interface {
                    eth1 weight 10
                  }
                  track_script {
                    chk
                  }
                  notify_master "/bin/echo master"
                  notify /bin/echo
                }
                vrrp_instance VI_2 {
                  interface eth0
                  virtual_router_id 52
                  virtual_ipaddress {
                    fd00::100/64
                  }
                }
                vrrp_sync_group G {
                  group {
                    VI_1
                    VI_2
                  }
                }
                """, warnings);
        assertThat(s.scripts()).singleElement().satisfies(sc -> {
            assertThat(sc.argv()).containsExactly("/bin/true");
            assertThat(sc.intervalUs()).isEqualTo(2 * S);
            assertThat(sc.weight()).isEqualTo(-20);
            assertThat(sc.rise()).isEqualTo(2);
            assertThat(sc.fall()).isEqualTo(3);
        });
        VrrpInstanceConfig vi1 = s.instances().get(0);
        assertThat(vi1.name()).isEqualTo("VI_1");
        assertThat(vi1.virtualRouterId()).isEqualTo(51);
        assertThat(vi1.priority()).isEqualTo(150);
        assertThat(vi1.initialMaster()).isTrue();
        assertThat(vi1.nopreempt()).isFalse(); // cleared with state MASTER, as keepalived does
        assertThat(vi1.version()).isEqualTo(2);
        assertThat(vi1.advertIntUs()).isEqualTo(2 * S);
        assertThat(vi1.authPass()).isEqualTo("secret");
        assertThat(vi1.sourceAddress()).isEqualTo(InetAddress.getByName("198.18.9.11"));
        assertThat(vi1.unicastPeers()).singleElement().satisfies(p -> {
            assertThat(p.address()).isEqualTo(InetAddress.getByName("198.18.9.12"));
            assertThat(p.minTtl()).isEqualTo(250);
        });
        assertThat(vi1.virtualAddresses()).extracting(Object::toString)
                .containsExactly("198.18.9.100/24 dev eth0 label eth0:vip", "198.18.9.101/32");
        assertThat(vi1.excludedAddresses()).extracting(Object::toString).containsExactly("2001:db8:0:0:0:0:0:1/64");
        assertThat(vi1.trackInterfaces()).containsExactly(new VrrpInstanceConfig.TrackedInterface("eth1", 10, false));
        assertThat(vi1.trackScripts()).containsExactly(new VrrpInstanceConfig.TrackedScript("chk", null, false));
        assertThat(vi1.garp().masterRepeat()).isEqualTo(3);
        assertThat(vi1.garp().masterDelayUs()).isEqualTo(2 * S);
        assertThat(vi1.notifyScripts().master()).containsExactly("/bin/echo", "master");
        assertThat(vi1.notifyScripts().generic()).containsExactly("/bin/echo");
        VrrpInstanceConfig vi2 = s.instances().get(1);
        assertThat(vi2.ipv6()).isTrue();
        assertThat(vi2.version()).isEqualTo(3);
        assertThat(vi2.priority()).isEqualTo(100);
        assertThat(vi2.initialMaster()).isFalse();
        assertThat(vi2.multicastGroup()).isEqualTo(InetAddress.getByName("ff02::12"));
        assertThat(s.syncGroups()).singleElement().satisfies(g -> assertThat(g.members())
                .containsExactly("VI_1", "VI_2"));
    }
}
