package io.jlvs.control;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class ControlProtocolTest {
    @Test
    void shouldKeepEveryFieldWhenServiceKeysCrossTheSocket() throws Exception {
        for (ServiceKey key : new ServiceKey[] {ServiceKey.ofFwmark(2, 7),
            ServiceKey.of(Protocol.TCP, InetAddress.getByName("198.18.0.100"), 80),
            ServiceKey.of(Protocol.UDP, InetAddress.getByName("2001:db8::1"), 53)}) {
            ControlProtocol.Request r = new ControlProtocol.Request("service", null, key, null, null, null);
            String json = ControlProtocol.JSON.writeValueAsString(r);
            assertThat(ControlProtocol.JSON.readValue(json, ControlProtocol.Request.class).key()).isEqualTo(key);
        }
    }

    @Test
    void shouldAnswerErrnoWhenOperationIsRefused() {
        ControlServerProbe probe = new ControlServerProbe();
        assertThat(probe.handle("{\"op\":\"deleteService\",\"key\":{\"af\":2,\"protocol\":\"TCP\","
                + "\"address\":\"198.18.0.1\",\"port\":80,\"fwmark\":0}}")).contains("\"errno\":\"ESRCH\"");
        assertThat(probe.handle("not json")).contains("\"errno\":\"EINVAL\"");
    }
}
