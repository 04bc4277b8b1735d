package io.jlvs.ipvsadm;

import io.jlvs.control.Ipvs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs ipvsadm command lines against one in-process director and captures what they print. */
final class Cli {
    record Result(int status, String out, String err) {}

    final Ipvs ipvs = new Ipvs();
    final KernelLikeApi api = new KernelLikeApi(ipvs);
    NameService names = TestNames.standard();
    Path connectionFile;
    String argv0 = "ipvsadm";

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result restore(String input) {
        return runWithInput(input, "-R");
    }

    Result runWithInput(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Ipvsadm(api, names, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                argv0).connectionFile(connectionFile).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
