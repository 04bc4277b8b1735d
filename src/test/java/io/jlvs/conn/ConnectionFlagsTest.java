package io.jlvs.conn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionFlagsTest {
    @Test
    void shouldHaveKernelValuesWhenComparedWithUapiHeader() {
        assertThat(ConnectionFlags.FWD_MASK).isEqualTo(0x7);
        assertThat(ConnectionFlags.SYNC).isEqualTo(0x20);
        assertThat(ConnectionFlags.HASHED).isEqualTo(0x40);
        assertThat(ConnectionFlags.NOOUTPUT).isEqualTo(0x80);
        assertThat(ConnectionFlags.INACTIVE).isEqualTo(0x100);
        assertThat(ConnectionFlags.OUT_SEQ).isEqualTo(0x200);
        assertThat(ConnectionFlags.IN_SEQ).isEqualTo(0x400);
        assertThat(ConnectionFlags.NO_CPORT).isEqualTo(0x800);
        assertThat(ConnectionFlags.TEMPLATE).isEqualTo(0x1000);
        assertThat(ConnectionFlags.ONE_PACKET).isEqualTo(0x2000);
        assertThat(ConnectionFlags.NFCT).isEqualTo(0x10000);
    }

    @Test
    void shouldPrintIpvsadmLetterWhenForwardMethodIsSet() {
        assertThat(ConnectionFlags.forwardLetter(ConnectionFlags.FWD_MASQ | ConnectionFlags.INACTIVE)).isEqualTo('M');
        assertThat(ConnectionFlags.forwardLetter(ConnectionFlags.FWD_LOCALNODE)).isEqualTo('L');
        assertThat(ConnectionFlags.forwardLetter(ConnectionFlags.FWD_TUNNEL)).isEqualTo('T');
        assertThat(ConnectionFlags.forwardLetter(ConnectionFlags.FWD_DROUTE | ConnectionFlags.NOOUTPUT)).isEqualTo('R');
        assertThat(ConnectionFlags.forwardLetter(ConnectionFlags.FWD_BYPASS)).isEqualTo('B');
        assertThat(ConnectionFlags.forwardMethod(0x183)).isEqualTo(ConnectionFlags.FWD_DROUTE);
    }
}
