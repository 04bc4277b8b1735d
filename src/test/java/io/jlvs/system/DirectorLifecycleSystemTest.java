package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/ipvsadm} against the director's lifecycle: nothing to talk to before it starts, and a refused
 * command never changes the table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectorLifecycleSystemTest {
    private static final String SERVICE = Testbed.VIP + ":80";

    private Testbed bed;

    @BeforeAll
    void buildBed() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
    }

    @AfterAll
    void tearDownBed() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldSayNoDirectorRunsAndExitNonZeroWhenNoDirectorIsStarted() {
        Testbed.Result list = bed.ipvsadm("-Ln");
        assertThat(list.exitCode()).as(list.output()).isNotZero();
        assertThat(list.output()).containsIgnoringCase("no jlvs director");

        Testbed.Result status = bed.jlvs("status");
        assertThat(status.exitCode()).as(status.output()).isNotZero();
        assertThat(status.output()).containsIgnoringCase("no jlvs director");
    }

    @Test
    @Order(2)
    void shouldLeaveTableUnchangedWhenIpvsadmGetsBadArguments() throws IOException {
        Process director = bed.startDirector();
        try {
            bed.awaitDirector(director, Duration.ofSeconds(60));
            ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
            ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g");
            Testbed.Result before = bed.ipvsadm("-Ln");
            assertThat(before.exitCode()).as(before.output()).isZero();
            assertThat(before.output()).contains(Testbed.RS1_IP + ":80");

            List<String[]> bad = List.of(
                    new String[] {"-A", "-t", SERVICE, "-s", "nosuchscheduler"},
                    new String[] {"-A", "-t", SERVICE, "-s", "rr"},
                    new String[] {"-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g", "-w", "heavy"},
                    new String[] {"-a", "-t", Testbed.VIP + ":99999", "-r", Testbed.RS2_IP, "-g"},
                    new String[] {"-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g"},
                    new String[] {"-d", "-t", SERVICE, "-r", Testbed.RS2_IP},
                    new String[] {"--no-such-option"});
            for (String[] args : bad) {
                Testbed.Result r = bed.ipvsadm(args);
                String cmd = "ipvsadm " + String.join(" ", args);
                assertThat(r.exitCode()).as(() -> cmd + " was accepted: " + r.output()).isNotZero();
                Testbed.Result after = bed.ipvsadm("-Ln");
                assertThat(after.output()).as("table after " + cmd + " (it said: " + r.output().strip() + ")")
                        .isEqualTo(before.output());
            }
        } finally {
            bed.stop(director);
        }
    }

    private void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }
}
