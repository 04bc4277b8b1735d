package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP services by DR and NAT, answered by real UDP servers (socat) on the real servers, and
 * one-packet scheduling: every datagram of one client socket goes to the next server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UdpSystemTest {
    static final int PORT = 5353;
    Testbed bed;
    Process director;
    final List<Process> servers = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
        String[][] rs = {{bed.rs1(), Testbed.RS1_IP, "rs1"}, {bed.rs2(), Testbed.RS2_IP, "rs2"}};
        for (String[] r : rs) {
            // DR datagrams arrive for the VIP, NAT ones for the real server's own address: answer both
            for (String bind : new String[] {Testbed.VIP, r[1]}) {
                servers.add(bed.startInBackground(r[0], "socat", "-T2",
                        "UDP4-RECVFROM:" + PORT + ",bind=" + bind + ",fork", "SYSTEM:echo " + r[2]));
            }
        }
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            servers.forEach(bed::stop);
            bed.close();
        }
    }

    /**
     * One datagram from the client, answered by whichever real server got it. The client waits 3 s for the
     * answer after its input ends (socat's default 0.5 s loses answers when the server's fork is slow on a
     * busy machine).
     */
    String ask() {
        Testbed.Result r = bed.exec(Duration.ofSeconds(10), bed.cl(), "sh", "-c",
                "echo q | socat -T2 -t 3 - UDP4:" + Testbed.VIP + ":" + PORT);
        return r.output().strip();
    }

    void service(String method, String... extra) {
        assertThat(bed.ipvsadm("-C").exitCode()).isZero();
        List<String> add = new ArrayList<>(List.of("-A", "-u", Testbed.VIP + ":" + PORT, "-s", "rr"));
        add.addAll(List.of(extra));
        Testbed.Result a = bed.ipvsadm(add.toArray(String[]::new));
        assertThat(a.exitCode()).as(a.output()).isZero();
        for (String rip : List.of(Testbed.RS1_IP, Testbed.RS2_IP)) {
            Testbed.Result r = bed.ipvsadm("-a", "-u", Testbed.VIP + ":" + PORT, "-r", rip, method);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
    }

    @Test
    void shouldAnswerFromBothServersWhenUdpByDirectRoutingAndNat() {
        for (String method : List.of("-g", "-m")) {
            service(method);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(ask());
            }
            System.out.println("[UdpSystemTest] " + method + " answers: " + answers);
            assertThat(answers).as("answers by " + method + "; " + bed.jlvs("status").output())
                    .containsOnly("rs1", "rs2").contains("rs1", "rs2");
        }
        Testbed.Result list = bed.ipvsadm("-Lnc");
        assertThat(list.output()).contains("UDP");
    }

    /** With DR: the real servers answer the client directly (one-packet entries see no replies, as in IPVS). */
    @Test
    void shouldScheduleEveryDatagramWhenOnePacket() {
        service("-g", "-o");
        Testbed.Result r = bed.exec(Duration.ofSeconds(10), bed.cl(), "sh", "-c",
                "(echo a; sleep 0.3; echo b; sleep 0.3; echo c; sleep 0.3; echo d) | socat -T2 -t 3 - UDP4:"
                        + Testbed.VIP + ":" + PORT + ",sourceport=40053");
        System.out.println("[UdpSystemTest] one-packet answers: " + r.output().strip().replace('\n', ' '));
        assertThat(r.output().lines().toList()).contains("rs1", "rs2");
    }
}
