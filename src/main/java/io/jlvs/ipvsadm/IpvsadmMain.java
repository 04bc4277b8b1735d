package io.jlvs.ipvsadm;

import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlSocket;
import io.jlvs.control.Errno;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of {@code bin/ipvsadm} (and of {@code bin/ipvsadm-save} and {@code bin/ipvsadm-restore},
 * which call it with {@code -S} and {@code -R}): connects to the director of the current network
 * namespace (as the original opens IPVS before reading any argument, so even {@code -h} needs a director)
 * and runs one ipvsadm invocation against it. {@code ipvsadm-restore --atomic} sets {@link #RESTORE_PROPERTY}
 * to {@code atomic}, so that ipvsadm's own command line keeps no option the original does not have.
 */
public final class IpvsadmMain {
    /** The system property through which the launcher passes the program name as invoked ($0). */
    public static final String ARGV0_PROPERTY = "jlvs.argv0";
    /** Set to {@code atomic} (with the single argument {@code -R}) by {@code ipvsadm-restore --atomic}. */
    public static final String RESTORE_PROPERTY = "jlvs.restore";

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
            // a socket the file mode keeps this user from is the kernel's EPERM for a non-root ipvsadm
            String reason = permissionDenied(e) ? ErrorMessages.message(ErrorMessages.Op.INIT, Errno.EPERM) : NO_DIRECTOR;
            err.print("Can't initialize ipvs: " + reason
                    + "\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
            err.flush();
            System.exit(2);
            return;
        }
        int status;
        try (client) {
            boolean atomic = "atomic".equals(System.getProperty(RESTORE_PROPERTY)) && args.length == 1
                    && args[0].equals("-R");
            status = atomic ? runAtomicRestore(argv0(), client, System.in, err)
                    : run(argv0(), args, client, System.in, out, err);
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

    /** {@code ipvsadm-restore --atomic}: checks the whole input, then applies it as one change ({@link AtomicRestore}). */
    public static int runAtomicRestore(String argv0, IpvsApi api, InputStream in, PrintStream err) {
        return new AtomicRestore(api, new SystemNameService(), Ipvs::new, in, err, argv0).run();
    }

    /** True when the control socket exists but this user may not connect to it (EACCES). */
    static boolean permissionDenied(Exception e) {
        if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
            return true;
        }
        try {
            Path socket = ControlSocket.path();
            return Files.exists(socket) && !Files.isWritable(socket);
        } catch (RuntimeException ignored) {
            return false;
        }
    }

    private static String argv0() {
        String name = System.getProperty(ARGV0_PROPERTY);
        return name == null || name.isEmpty() ? "ipvsadm" : name;
    }
}
