package io.jlvs.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class ControlAccessTest {
    private static final int DIRECTOR_UID = 0;
    private static final int CONTROL_GID = 1001;
    private static final PeerCredentials ROOT = new PeerCredentials(10, 0, 0, new int[0], "root");
    private static final PeerCredentials NOBODY = new PeerCredentials(11, 65534, 65534, new int[0], "nobody");
    private static final PeerCredentials OPERATOR_PRIMARY = new PeerCredentials(12, 1000, CONTROL_GID, new int[0], "op");
    private static final PeerCredentials OPERATOR_SUPPLEMENTARY =
            new PeerCredentials(13, 1000, 1000, new int[] {27, CONTROL_GID}, "op");
    private static final String ADD_SERVICE = "{\"op\":\"addService\",\"service\":{\"key\":{\"af\":2,\"protocol\":\"TCP\","
            + "\"address\":\"198.18.0.100\",\"port\":80,\"fwmark\":0},\"scheduler\":\"rr\",\"flags\":0,"
            + "\"persistenceTimeoutS\":0,\"netmask\":-1}}";

    private final Logger log = Logger.getLogger("jlvs.control");
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        log.addHandler(capture);
        log.setLevel(Level.ALL);
    }

    @AfterEach
    void releaseLog() {
        log.removeHandler(capture);
        log.setLevel(null);
    }

    @Test
    void shouldPermitOnlyRootWhenNoControlGroupIsNamed() {
        ControlAccess access = ControlAccess.rootOnly(DIRECTOR_UID);

        assertThat(access.permits(ROOT)).isTrue();
        assertThat(access.permits(NOBODY)).isFalse();
        assertThat(access.permits(OPERATOR_PRIMARY)).isFalse();
        assertThat(access.permits(OPERATOR_SUPPLEMENTARY)).isFalse();
    }

    @Test
    void shouldPermitMembersWhenControlGroupIsPrimaryOrSupplementary() {
        ControlAccess access = new ControlAccess(DIRECTOR_UID, CONTROL_GID, "jlvsadm");

        assertThat(access.permits(OPERATOR_PRIMARY)).isTrue();
        assertThat(access.permits(OPERATOR_SUPPLEMENTARY)).isTrue();
        assertThat(access.permits(ROOT)).isTrue();
        assertThat(access.permits(NOBODY)).isFalse();
        assertThat(access.describe()).isEqualTo("root or group jlvsadm (gid 1001)");
    }

    @Test
    void shouldPermitDirectorsOwnUserWhenDirectorIsNotRoot() {
        ControlAccess access = ControlAccess.rootOnly(1000);

        assertThat(access.permits(OPERATOR_SUPPLEMENTARY)).isTrue();
        assertThat(access.permits(NOBODY)).isFalse();
    }

    @Test
    void shouldTreatListingsAsReadOnlyWhenClassifyingOps() {
        assertThat(List.of("addService", "editService", "deleteService", "flush", "addDest", "editDest", "deleteDest",
                "zero", "setTimeouts", "startDaemon", "stopDaemon", "addMark", "deleteMark"))
                .allMatch(ControlAccess::changesState);
        assertThat(List.of("info", "services", "service", "timeouts", "connectionTable", "daemons", "marks", "status"))
                .noneMatch(ControlAccess::changesState);
        assertThat(ControlAccess.changesState(null)).isFalse();
    }

    @Test
    void shouldAnswerEpermAsIpvsadmExpectsWhenPeerIsRefused() throws Exception {
        String json = ControlProtocol.JSON.writeValueAsString(ControlServer.refusal());

        assertThat(json).contains("\"ok\":false", "\"errno\":\"EPERM\"");
    }

    @Test
    void shouldLogAuthorOncePerChangeWhenChangeIsAccepted() {
        Ipvs ipvs = new Ipvs();

        ControlProtocol.Response r = ControlServer.dispatch(ipvs, Map.of(), Set.of(), ADD_SERVICE, NOBODY);

        assertThat(r.ok()).isTrue();
        assertThat(logged).containsExactly(
                "control: addService TCP 198.18.0.100:80 scheduler rr by uid=65534 pid=11 user=nobody");
    }

    @Test
    void shouldLogNothingWhenChangeIsRefusedOrOpOnlyReads() {
        Ipvs ipvs = new Ipvs();
        ControlServer.dispatch(ipvs, Map.of(), Set.of(), ADD_SERVICE, ROOT);
        logged.clear();

        ControlProtocol.Response again = ControlServer.dispatch(ipvs, Map.of(), Set.of(), ADD_SERVICE, ROOT);
        ControlProtocol.Response list = ControlServer.dispatch(ipvs, Map.of(), Set.of(), "{\"op\":\"services\"}", ROOT);

        assertThat(again.errno()).isEqualTo("EEXIST");
        assertThat(list.ok()).isTrue();
        assertThat(logged).isEmpty();
    }

    @Test
    void shouldLogRegisteredChangeWhenExtraOpChangesState() {
        ControlProtocol.Response r = ControlServer.dispatch(new Ipvs(), Map.of("drain", req -> "done"), Set.of("drain"),
                "{\"op\":\"drain\",\"extra\":{\"real\":\"198.19.0.11\"}}", ROOT);

        assertThat(r.ok()).isTrue();
        assertThat(logged).containsExactly("control: drain {\"real\":\"198.19.0.11\"} by uid=0 pid=10 user=root");
    }

    @Test
    void shouldAnswerEinvalWhenRequestIsJsonNull() {
        ControlProtocol.Response r = ControlServer.dispatch(new Ipvs(), Map.of(), "null");

        assertThat(r.errno()).isEqualTo("EINVAL");
    }
}
