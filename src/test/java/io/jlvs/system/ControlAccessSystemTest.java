package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who may change the director: {@code bin/ipvsadm} run as {@code nobody} against a director in a namespace
 * of its own (one veth pair inside it, nothing else). As with kernel IPVS, a non-root ipvsadm fails at
 * initialisation ({@code Can't initialize ipvs: Permission denied (you must be root)}, exit 2) and the table
 * is unchanged, whether the socket's file mode stops it or, with the file opened to everyone, the director's
 * check of the peer's credentials does; a member of {@code --control-group} may change the table and the
 * director logs who did.
 */
class ControlAccessSystemTest {
    private static final String REFUSED = "Can't initialize ipvs: Permission denied (you must be root)\n"
            + "Are you sure that IP Virtual Server is built in the kernel or as module?";
    private static final String SERVICE = "192.0.2.80:80";

    private String ns;
    private Path log;
    private Process director;

    @BeforeEach
    void createNamespace() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Testbed.isRoot()) {
            missing.add("root");
        }
        missing.addAll(Testbed.missingTools("ip", "nft", "setpriv"));
        if (!missing.isEmpty()) {
            String message = "ControlAccessSystemTest needs " + String.join(", ", missing);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + "; CI=true, so a missing prerequisite is a failure, not a skip");
            }
            assumeTrue(false, message);
        }
        ns = Testbed.randomPrefix() + "acc";
        log = Files.createTempFile("jlvs-access-", ".log");
        checked("ip", "netns", "add", ns);
        checked("ip", "-n", ns, "link", "add", "acc0", "type", "veth", "peer", "name", "acc1");
        checked("ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "acc0");
        checked("ip", "-n", ns, "link", "set", "acc0", "up");
        checked("ip", "-n", ns, "link", "set", "acc1", "up");
    }

    @AfterEach
    void removeNamespace() throws IOException {
        if (director != null && director.isAlive()) {
            director.destroy();
            try {
                if (!director.waitFor(10, TimeUnit.SECONDS)) {
                    director.destroyForcibly();
                    director.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void shouldRefuseNonRootIpvsadmAndKeepTableWhenSocketModeKeepsItOut() throws IOException {
        startDirector();
        asRoot("-A", "-t", SERVICE, "-s", "rr");
        String before = asRoot("-Sn").output();

        for (String[] args : List.of(new String[] {"-A", "-t", "192.0.2.81:80", "-s", "rr"},
                new String[] {"-D", "-t", SERVICE}, new String[] {"-C"}, new String[] {"-Ln"})) {
            Result r = asNobody(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.output()).isEqualTo(2);
            assertThat(r.output().strip()).isEqualTo(REFUSED);
        }
        assertThat(asRoot("-Sn").output()).isEqualTo(before).contains("-A -t " + SERVICE + " -s rr");
    }

    @Test
    void shouldRefuseNonRootIpvsadmWhenSocketFileIsOpenToEveryone() throws IOException {
        startDirector();
        Path socket = socket();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

        Result add = asNobody("-A", "-t", SERVICE, "-s", "rr");
        Result list = asNobody("-Ln");

        assertThat(add.exitCode()).as(add.output()).isEqualTo(2);
        assertThat(add.output().strip()).isEqualTo(REFUSED);
        assertThat(list.exitCode()).as(list.output()).isEqualTo(2);
        assertThat(asRoot("-Sn").output()).isEmpty();
        assertThat(Files.readString(log)).contains("control: refused uid=65534");
    }

    @Test
    void shouldLetControlGroupChangeTableAndLogWhoWhenPeerIsInGroup() throws IOException {
        startDirector("--control-group", "nogroup");

        Result primary = asUser(List.of("--regid=nogroup", "--clear-groups"), "-A", "-t", SERVICE, "-s", "rr");
        Result supplementary = asUser(List.of("--regid=daemon", "--groups=nogroup"),
                "-a", "-t", SERVICE, "-r", "192.0.2.11:80", "-g");
        Result outsider = asUser(List.of("--regid=daemon", "--clear-groups"), "-D", "-t", SERVICE);

        assertThat(primary.exitCode()).as(primary.output()).isZero();
        assertThat(supplementary.exitCode()).as(supplementary.output()).isZero();
        assertThat(outsider.exitCode()).as(outsider.output()).isEqualTo(2);
        assertThat(outsider.output().strip()).isEqualTo(REFUSED);
        assertThat(asRoot("-Sn").output()).contains("-A -t " + SERVICE + " -s rr", "-a -t " + SERVICE + " -r 192.0.2.11:80 -g");
        assertThat(Files.readString(log))
                .containsPattern("control: addService TCP 192\\.0\\.2\\.80:80 scheduler rr by uid=65534 pid=\\d+ user=nobody")
                .containsPattern("control: addDest TCP 192\\.0\\.2\\.80:80 real 192\\.0\\.2\\.11:80 .* by uid=65534 pid=\\d+ user=nobody");
    }

    // ---------------------------------------------------------------- helpers

    private void startDirector(String... options) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Testbed.jlvsHome().resolve("bin/jlvs").toString(), "director", "-i", "acc0"));
        argv.addAll(List.of(options));
        director = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Result last = null;
        while (System.nanoTime() < deadlineNs) {
            if (!director.isAlive()) {
                fail("director ended (exit " + director.exitValue() + "): " + Files.readString(log));
            }
            last = ipvsadm(List.of(), "-Ln");
            if (last.exitCode() == 0) {
                return;
            }
            try {
                Thread.sleep(200); // waiting for another process, not for simulated time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        fail("director did not answer: " + (last == null ? "" : last.output()) + "\n" + Files.readString(log));
    }

    private Path socket() throws IOException {
        Object inode = Files.getAttribute(Path.of("/run/netns", ns), "unix:ino");
        return Path.of("/run/jlvs", "ctl-" + inode + ".sock");
    }

    private Result asRoot(String... args) {
        Result r = ipvsadm(List.of(), args);
        assertThat(r.exitCode()).as("root: ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
        return r;
    }

    private Result asNobody(String... args) {
        return asUser(List.of("--regid=nogroup", "--clear-groups"), args);
    }

    private Result asUser(List<String> groupOptions, String... args) {
        List<String> prefix = new ArrayList<>(List.of("setpriv", "--reuid=nobody"));
        prefix.addAll(groupOptions);
        return ipvsadm(prefix, args);
    }

    private Result ipvsadm(List<String> prefix, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(prefix);
        argv.add(Testbed.jlvsHome().resolve("bin/ipvsadm").toString());
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private record Result(int exitCode, String output) {}

    private static void checked(String... argv) throws IOException {
        Result r = run(argv);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", argv) + ": exit " + r.exitCode() + ": " + r.output());
        }
    }

    private static Result run(String... argv) {
        try {
            Path out = Files.createTempFile("jlvs-access-", ".out");
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return new Result(Testbed.TIMED_OUT, Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(127, "interrupted");
        }
    }
}
