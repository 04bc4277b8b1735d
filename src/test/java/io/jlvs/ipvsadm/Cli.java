package io.jlvs.ipvsadm;

import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs ipvsadm command lines against one in-process director and captures what they print. */
final class Cli {
    record Result(int status, String out, String err) {}

    final Ipvs ipvs = new Ipvs();
    final KernelLikeApi api = new KernelLikeApi(ipvs);
    NameService names = TestNames.standard();
    String argv0 = "ipvsadm";

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result restore(String input) {
        return runWithInput(input, "-R");
    }

    Result runWithInput(String input, String... args) {
        return runAgainst(api, input, args);
    }

    /** One invocation against another API (a director that lacks a call, one that refuses …). */
    Result runAgainst(IpvsApi director, String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Ipvsadm(director, names, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                argv0).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code ipvsadm-restore --atomic < input}, checked against a scratch table like this one. */
    Result atomicRestore(String input) {
        return atomicRestoreAgainst(api, input);
    }

    Result atomicRestoreAgainst(IpvsApi director, String input) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new AtomicRestore(director, names, () -> new KernelLikeApi(new Ipvs()),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(err, true, StandardCharsets.UTF_8), "/usr/sbin/ipvsadm-restore").run();
        return new Result(status, "", err.toString(StandardCharsets.UTF_8));
    }

    /** What the director's connection table holds, as /proc/net/ip_vs_conn lines (header first). */
    void connections(List<String> lines) {
        ipvs.connectionTable(() -> lines);
    }

    /** The table as {@code ipvsadm -Sn} shows it, for before/after comparisons. */
    String saved() {
        Result r = run("-Sn");
        if (r.status() != 0) {
            throw new IllegalStateException(r.err());
        }
        return r.out();
    }
}
