package io.jlvs.ipvsadm;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

class InetTextTest {

    @Test
    void shouldAcceptShorthandHexAndOctalWhenInetAton() {
        assertThat(InetText.aton("10.0.0.1")).isEqualTo(0x0a000001);
        assertThat(InetText.aton("10.1")).isEqualTo(0x0a000001);
        assertThat(InetText.aton("10.1.2")).isEqualTo(0x0a010002);
        assertThat(InetText.aton("24")).isEqualTo(24);
        assertThat(InetText.aton("0x0a000005")).isEqualTo(0x0a000005);
        assertThat(InetText.aton("012.0.0.1")).isEqualTo(0x0a000001);
        assertThat(InetText.aton("4294967295")).isEqualTo(0xffffffff);
        assertThat(InetText.aton("10.0.0.1 trailing")).isEqualTo(0x0a000001);
    }

    @Test
    void shouldRefuseWhenInetAtonTextIsMalformed() {
        assertThat(InetText.aton("")).isNull();
        assertThat(InetText.aton("4294967296")).isNull();
        assertThat(InetText.aton("1.2.3.256")).isNull();
        assertThat(InetText.aton("256.1")).isNull();
        assertThat(InetText.aton("1.2.3.4.5")).isNull();
        assertThat(InetText.aton("08")).isNull();
        assertThat(InetText.aton("0x")).isNull();
        assertThat(InetText.aton("1..2")).isNull();
        assertThat(InetText.aton("1.2.3.4x")).isNull();
        assertThat(InetText.aton("host")).isNull();
        assertThat(InetText.aton("10.0.0.1:80")).isNull();
    }

    @Test
    void shouldAcceptOnlyStrictDottedQuadsWhenPton4() {
        assertThat(InetText.pton4("224.0.0.81")).isNotNull();
        assertThat(InetText.pton4("224.1")).isNull();
        assertThat(InetText.pton4("010.0.0.1")).isNull();
        assertThat(InetText.pton4("1.2.3.4.")).isNull();
        assertThat(InetText.pton4("1.2.3.256")).isNull();
    }

    @Test
    void shouldParseIpv6TextWhenPton6() {
        assertThat(InetText.ntop(InetText.pton6("2001:DB8::A1"))).isEqualTo("2001:db8::a1");
        assertThat(InetText.ntop(InetText.pton6("::"))).isEqualTo("::");
        assertThat(InetText.ntop(InetText.pton6("::1"))).isEqualTo("::1");
        assertThat(InetText.ntop(InetText.pton6("::ffff:10.0.0.1"))).isEqualTo("::ffff:10.0.0.1");
        assertThat(InetText.pton6("::ffff:10.0.0.1")).isInstanceOf(Inet6Address.class);
        assertThat(InetText.ntop(InetText.pton6("1:2:3:4:5:6:7:8"))).isEqualTo("1:2:3:4:5:6:7:8");
        assertThat(InetText.ntop(InetText.pton6("1::"))).isEqualTo("1::");
        assertThat(InetText.ntop(InetText.pton6("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
        assertThat(InetText.ntop(InetText.pton6("1:0:0:2:0:0:3:4"))).isEqualTo("1::2:0:0:3:4");
        assertThat(InetText.ntop(InetText.pton6("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
    }

    @Test
    void shouldRefuseWhenIpv6TextIsMalformed() {
        for (String bad : new String[] {"", ":", ":1::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::", "[::1]", "fe80::1%eth0", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "1:", "g::"}) {
            assertThat(InetText.pton6(bad)).as(bad).isNull();
        }
    }

    @Property
    void shouldRoundTripWhenPrintedAndParsed(@ForAll @Size(16) byte[] bytes) throws UnknownHostException {
        Inet6Address a = InetText.v6(bytes);
        String text = InetText.ntop(a);
        assertThat(InetText.pton6(text)).isEqualTo(a);
        assertThat(InetAddress.getByName(text).getAddress()).isEqualTo(bytes);
    }
}
