package io.jlvs.ipvsadm;

import io.jlvs.control.DestInfo;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.ipvsadm.ErrorMessages.Op;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ipvsadm-restore --atomic}, a jlvs extension: what {@code ipvsadm-restore} does (drop the lines
 * that start with {@code #}, clear the table, run every other line as an ipvsadm command), but as one
 * change. The whole input is checked first: every line is parsed with ipvsadm's own checks and run
 * against a scratch table ({@link Ipvs}, the director's own validation) that starts empty, as the restore
 * clears the table. The first bad line is reported with its line number and nothing is applied.
 *
 * <p>Only when every line is good is the director changed: the table is cleared and the checked commands
 * are applied in order, with the addresses resolved during the check. If the director still refuses one
 * (another client changed it in between), the table it had before, and its timeouts, are put back. That
 * step is not atomic for other clients or for traffic: they may see the table half built, and rules put
 * back start with zero counters. Lines that only list, zero counters or drive the sync daemon are refused,
 * as they cannot be part of one change.
 */
final class AtomicRestore {
    /** The commands one change can hold: the table's and the timeouts' (undoable), not -Z or the daemons. */
    private static final Set<Cmd> ATOMIC = EnumSet.of(Cmd.ADD, Cmd.EDIT, Cmd.DEL, Cmd.FLUSH, Cmd.ADD_DEST,
            Cmd.EDIT_DEST, Cmd.DEL_DEST, Cmd.SET_TIMEOUT);

    private final IpvsApi api;
    private final NameService names;
    private final Supplier<IpvsApi> scratchTables;
    private final InputStream in;
    private final PrintStream err;
    private final String program;

    /** A checked line: its number in the input and the command it holds. */
    private record Step(int lineNumber, CommandEntry command) {}

    /** A refusal that ends the run: what to print after "program: " and the exit status. */
    private static final class Refusal extends Exception {
        private final int status;

        Refusal(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * @param scratchTables makes the empty table the input is checked against (production: {@code Ipvs::new})
     * @param argv0         the program name as invoked; its last path element prefixes every message
     */
    AtomicRestore(IpvsApi api, NameService names, Supplier<IpvsApi> scratchTables, InputStream in, PrintStream err,
                  String argv0) {
        this.api = Objects.requireNonNull(api);
        this.names = Objects.requireNonNull(names);
        this.scratchTables = Objects.requireNonNull(scratchTables);
        this.in = Objects.requireNonNull(in);
        this.err = Objects.requireNonNull(err);
        Path name = Path.of(argv0).getFileName();
        this.program = name == null ? argv0 : name.toString();
    }

    /** Checks, then applies; returns the exit status (0, or the status the bad line would have had). */
    int run() {
        try {
            try {
                api.info();
            } catch (IpvsException e) {
                err.print("Can't initialize ipvs: " + ErrorMessages.message(Op.INIT, e.errno())
                        + "\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
                return 2;
            }
            List<Step> steps = check(readLines());
            apply(steps);
            return 0;
        } catch (Refusal r) {
            err.print(program + ": " + r.getMessage() + "\n");
            return r.status;
        } finally {
            err.flush();
        }
    }

    private List<String> readLines() {
        try {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                lines.removeLast(); // the newline that ends the last line starts no line of its own
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ipvsadm's restore tokens: runs of blanks separate them, every {@code ipvsadm} token is dropped. */
    static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        for (String t : line.split("[ \t\r\n]+")) {
            if (!t.isEmpty() && !t.equals("ipvsadm")) {
                tokens.add(t);
            }
        }
        return tokens;
    }

    private List<Step> check(List<String> lines) throws Refusal {
        IpvsApi scratch = scratchTables.get();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(said, true, StandardCharsets.UTF_8);
        Ipvsadm checker = new Ipvsadm(scratch, names, InputStream.nullInputStream(),
                new PrintStream(OutputStream.nullOutputStream()), capture, "ipvsadm");
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue; // as ipvsadm-restore's grep -v '^#'
            }
            List<String> tokens = tokens(line);
            if (tokens.isEmpty()) {
                continue;
            }
            String[] argv = new String[tokens.size() + 1];
            argv[0] = "ipvsadm";
            for (int t = 0; t < tokens.size(); t++) {
                argv[t + 1] = tokens.get(t);
            }
            said.reset();
            CommandEntry ce;
            try {
                ce = checker.parseAndCheck(argv);
            } catch (ExitException e) {
                if (e.status() == 0) {
                    throw notAChange(lineNumber);
                }
                throw refused(lineNumber, said.toString(StandardCharsets.UTF_8), e.status());
            }
            if (ce == null) {
                throw refused(lineNumber, said.toString(StandardCharsets.UTF_8), 255);
            }
            if (!ATOMIC.contains(ce.cmd)) {
                throw notAChange(lineNumber);
            }
            try {
                Ipvsadm.apply(scratch, ce);
            } catch (IpvsException e) {
                throw refused(lineNumber, ErrorMessages.message(Ipvsadm.op(ce.cmd), e.errno()), 255);
            }
            steps.add(new Step(lineNumber, ce));
        }
        return steps;
    }

    private static Refusal refused(int lineNumber, String message, int status) {
        return new Refusal("line " + lineNumber + ": " + message.strip() + "; nothing applied", status);
    }

    private static Refusal notAChange(int lineNumber) {
        return refused(lineNumber, "only -A, -E, -D, -C, -a, -e, -d and --set can be applied atomically", 2);
    }

    private void apply(List<Step> steps) throws Refusal {
        List<ServiceInfo> before;
        IpvsApi.Timeouts timeoutsBefore = null;
        try {
            before = api.services();
            if (steps.stream().anyMatch(s -> s.command().cmd == Cmd.SET_TIMEOUT)) {
                timeoutsBefore = api.timeouts();
            }
        } catch (IpvsException e) {
            throw new Refusal(ErrorMessages.message(Op.GET_SERVICES, e.errno()) + "; nothing applied", 255);
        }
        Step current = null;
        try {
            api.flush();
            for (Step s : steps) {
                current = s;
                Ipvsadm.apply(api, s.command());
            }
        } catch (IpvsException e) {
            String what = current == null
                    ? ErrorMessages.message(Op.FLUSH, e.errno())
                    : "line " + current.lineNumber() + ": " + ErrorMessages.message(Ipvsadm.op(current.command().cmd),
                            e.errno());
            try {
                putBack(before, timeoutsBefore);
            } catch (IpvsException again) {
                throw new Refusal(what + "; the director refused it, and putting the previous table back failed: "
                        + again.getMessage(), 255);
            }
            throw new Refusal(what + "; the director refused it, the previous table is back", 255);
        }
    }

    /** The table as it was: services in creation order, each one's real servers oldest first. */
    private void putBack(List<ServiceInfo> before, IpvsApi.Timeouts timeouts) throws IpvsException {
        api.flush();
        for (ServiceInfo s : before) {
            api.addService(s.config());
            List<DestInfo> dests = s.dests();
            for (int i = dests.size() - 1; i >= 0; i--) {
                api.addDest(s.config().key(), dests.get(i).config());
            }
        }
        if (timeouts != null) {
            api.setTimeouts(timeouts);
        }
    }
}
