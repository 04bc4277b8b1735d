package io.jlvs.ipvsadm;

import io.jlvs.control.ControlClient;
import io.jlvs.control.IpvsApi;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * Entry point of {@code bin/ipvsadm}: connects to the director of the current network namespace (as
 * the original opens IPVS before reading any argument, so even {@code -h} needs a director) and runs
 * one ipvsadm invocation against it.
 */
public final class IpvsadmMain {
    /** The system property through which the launcher passes the program name as invoked ($0). */
    public static final String ARGV0_PROPERTY = "jlvs.argv0";

    static final String NO_DIRECTOR = "No jlvs director is running in this network namespace";

    private IpvsadmMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, System.out.charset());
        PrintStream err = System.err;
        ControlClient client;
        try {
            client = ControlClient.connect();
        } catch (IOException | RuntimeException e) {
            err.print("Can't initialize ipvs: " + NO_DIRECTOR
                    + "\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
            err.flush();
            System.exit(2);
            return;
        }
        int status;
        try (client) {
            status = run(argv0(), args, client, System.in, out, err);
        } catch (IOException e) {
            status = 0; // closing the socket after the work is done cannot change the outcome
        }
        out.flush();
        System.exit(status);
    }

    /** One invocation against {@code api}, reading {@code -R} input from standard input. */
    public static int run(String[] args, IpvsApi api, PrintStream out, PrintStream err) {
        return run(argv0(), args, api, System.in, out, err);
    }

    /** One invocation with everything given: the program name, the arguments after it and the streams. */
    public static int run(String argv0, String[] args, IpvsApi api, InputStream in, PrintStream out, PrintStream err) {
        return new Ipvsadm(api, new SystemNameService(), in, out, err, argv0).run(args);
    }

    private static String argv0() {
        String name = System.getProperty(ARGV0_PROPERTY);
        return name == null || name.isEmpty() ? "ipvsadm" : name;
    }
}
