package io.jlvs.keepalived.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The lexical layer of keepalived ({@code read_line} in lib/parser.c), one logical line at a time: physical
 * lines read in 1023-byte chunks, comments removed ({@code decomment}), {@code @id} conditional lines,
 * {@code $NAME=} definitions (multi-line too) and their substitution, {@code ~SEQ}/{@code ~LST} generators,
 * {@code include} with globs, and braces split off as logical lines of their own.
 *
 * <p>keepalived parses a configuration in several passes. The first reads the real files and writes a
 * consolidated, decommented copy (every file framed by {@code # NAME} and {@code !} lines, every include
 * line blanked so line numbers hold); the later passes read that copy, decommenting again. Both modes are
 * here ({@link #forFiles} and {@link #forCopy}) because their differences show in keepalived's messages.
 *
 * <p>Text is handled as ISO-8859-1 so every byte of the file survives unchanged into messages.
 */
public final class LineReader implements Reporter.Position {
    static final int MAXBUF = 1024;
    private static final char LINE_END = '\n';
    /**
     * Safety limits keepalived does not have (it loops forever on {@code $A=$A} or a huge {@code ~SEQ}): at most
     * this many substitutions in one line, and this many lines from one generator.
     */
    static final int MAX_SUBSTITUTIONS = 10_000;
    static final int MAX_GENERATED_LINES = 100_000;
    /** keepalived runs out of file descriptors on a file that includes itself; jlvs stops at this depth. */
    static final int MAX_INCLUDE_DEPTH = 1000;

    static final int INCLUDE = 0;
    static final int INCLUDE_R = 0x01;
    static final int INCLUDE_M = 0x02;
    static final int INCLUDE_W = 0x04;
    static final int INCLUDE_B = 0x08;

    /** A physical chunk as {@code fgets} returns it: text and whether it ended with a newline. */
    private record Chunk(String text, boolean newline) {}

    /** Lines of one stream (a real file, or the consolidated copy shared by its frames). */
    private static final class Source {
        final List<Chunk> chunks;
        int pos;

        Source(List<Chunk> chunks) {
            this.chunks = chunks;
        }

        Chunk next() {
            return pos < chunks.size() ? chunks.get(pos++) : null;
        }
    }

    /** keepalived's {@code include_file_t}: one include (glob) being read. */
    private static final class Frame {
        int includeType;
        int savedIncludeCheck;
        List<String> matches = List.of();
        int globNext;
        int numMatches;
        Source source;
        String currentName;
        int lineNo;
        Path savedCwd;
        boolean fromCopy;
    }

    /** A {@code $NAME} definition. */
    private static final class Def {
        final String name;
        String value = "";
        boolean multiline;
        String fn;
        int maxParams;
        String params;

        Def(String name) {
            this.name = name;
        }
    }

    /** A {@code ~SEQ} or {@code ~LST} generator being expanded. */
    private static final class Seq {
        String var;
        long next;
        long step;
        long last;
        boolean hex;
        String text;
        List<String> lstParams;
        List<List<String>> lstValues;
        int lstIndex;
        long emitted;
    }

    private record Pending(String ptr, int seqDepth) {}

    private final Reporter reporter;
    private final String configId;
    private final boolean readingCopy;
    private final List<String> copyOut;
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final Map<String, Def> defs = new LinkedHashMap<>();
    private final List<Seq> seqs = new ArrayList<>();
    private final Deque<Pending> multilineStack = new ArrayDeque<>();
    private final Random random = new Random();
    private Path cwd;
    private int includeCheck;
    private int multilineSeqDepth;
    private String nextPtr;
    private Def multilineDef;
    private boolean multilineParamDef;
    private String residue;
    private int blockDepth;

    private LineReader(Reporter reporter, Path cwd, String configId, boolean readingCopy, List<String> copyOut) {
        this.reporter = reporter;
        this.cwd = cwd;
        this.configId = configId;
        this.readingCopy = readingCopy;
        this.copyOut = copyOut;
        stdDefinition("_PWD", null, "pwd", 0);
        stdDefinition("_INSTANCE", null, "instance", 0);
        stdDefinition("_RANDOM", null, "random", 2);
        stdDefinition("_HASH", "#", null, 0);
        stdDefinition("_BANG", "!", null, 0);
    }

    /**
     * The first pass: reads {@code mainFile} (a glob, as keepalived's {@code -f}) and its includes from disk,
     * writing the consolidated copy into {@code copyOut}.
     *
     * @return the reader, or {@code null} when the main file could not be opened (reported)
     */
    public static LineReader forFiles(Reporter r, String mainFile, Path cwd, String configId, List<String> copyOut) {
        LineReader lr = new LineReader(r, cwd, configId, false, copyOut);
        r.position(lr);
        if (!lr.openGlobFile(mainFile, INCLUDE_R | INCLUDE_M | INCLUDE_W)) {
            lr.fileError(INCLUDE_R, "Failed to open configuration file");
            return null;
        }
        return lr;
    }

    /** A later pass: reads the consolidated copy written by the first pass. */
    public static LineReader forCopy(Reporter r, String mainFile, Path cwd, String configId, List<String> copy) {
        LineReader lr = new LineReader(r, cwd, configId, true, null);
        List<Chunk> chunks = new ArrayList<>(copy.size());
        for (String s : copy) {
            chunks.addAll(chunk(s + "\n"));
        }
        Frame f = new Frame();
        f.source = new Source(chunks);
        f.numMatches = 1;
        f.currentName = mainFile;
        f.fromCopy = true;
        lr.stack.push(f);
        r.position(lr);
        return lr;
    }

    /** Unbalanced braces left when the stream ended (keepalived reports them after the pass). */
    public int blockDepth() {
        return blockDepth;
    }

    public Reporter reporter() {
        return reporter;
    }

    /** keepalived's {@code include_check} global: the default checks for later includes in this file. */
    void includeCheck(int checks) {
        this.includeCheck = checks;
    }

    int includeCheckValue() {
        return includeCheck;
    }

    // ---------------------------------------------------------------- position (message prefix)

    private Frame positionFrame() {
        if (stack.isEmpty()) {
            return null;
        }
        var it = stack.iterator();
        Frame f = it.next();
        if (f.currentName == null && it.hasNext()) {
            f = it.next();
        }
        return f;
    }

    @Override
    public String prefix() {
        Frame f = positionFrame();
        if (f == null) {
            return "";
        }
        if (f.currentName != null) {
            return "(" + f.currentName + ": Line " + f.lineNo + ") ";
        }
        if (f.lineNo != 0) {
            return "(Line " + f.lineNo + ") ";
        }
        return "";
    }

    @Override
    public String file() {
        Frame f = positionFrame();
        if (f == null) {
            return null;
        }
        if (f.currentName != null) {
            return f.currentName;
        }
        Frame last = stack.peekLast();
        return last.matches.isEmpty() ? null : last.matches.get(Math.max(0, last.globNext - 1));
    }

    @Override
    public int line() {
        Frame f = positionFrame();
        return f == null ? 0 : f.lineNo;
    }

    // ---------------------------------------------------------------- reading

    private static List<Chunk> chunk(String content) {
        List<Chunk> out = new ArrayList<>();
        int i = 0;
        int n = content.length();
        while (i < n) {
            int nl = content.indexOf('\n', i);
            int end = nl < 0 ? n : nl + 1;
            while (end - i > MAXBUF - 1) {
                out.add(new Chunk(content.substring(i, i + MAXBUF - 1), false));
                i += MAXBUF - 1;
            }
            String text = content.substring(i, end);
            boolean newline = text.endsWith("\n");
            out.add(new Chunk(newline ? text.substring(0, text.length() - 1) : text, newline));
            i = end;
        }
        return out;
    }

    /**
     * The next logical line, comments and substitutions done, a brace alone or the text before/after it.
     *
     * @return the line, or {@code null} at the end of the configuration
     */
    public String readLine() {
        String buf;
        while (true) {
            buf = nextSourceLine();
            if (buf == null) {
                return null;
            }
            if (multilineParamDef) {
                int len = buf.length();
                StringBuilder b = new StringBuilder(buf);
                if (len > 0 && buf.charAt(len - 1) == '\\') {
                    len--;
                    while (len >= 1 && isBlank(b.charAt(len - 1))) {
                        len--;
                    }
                    b.setLength(len);
                    b.append(LINE_END);
                    len++;
                } else {
                    multilineParamDef = false;
                    if (multilineDef.value.isEmpty()) {
                        multilineDef.multiline = false;
                    }
                }
                if (len >= 2 || (len > 0 && !multilineParamDef)) {
                    multilineDef.value = multilineDef.value + b.substring(0, len);
                }
                continue;
            }
            if (buf.isEmpty()) {
                continue;
            }
            buf = process(buf);
            if (buf.isEmpty() || checkInclude(buf)) {
                continue;
            }
            break;
        }
        return splitBraces(buf);
    }

    /** A line from the residue, a generator, a multi-line expansion or the files, decommented. */
    private String nextSourceLine() {
        if (residue != null) {
            String s = residue;
            residue = null;
            return s;
        }
        if (!seqs.isEmpty() && seqs.size() > multilineSeqDepth) {
            return nextSeqLine();
        }
        if (nextPtr != null) {
            int end = nextPtr.indexOf(LINE_END);
            String s;
            if (end < 0) {
                s = nextPtr;
                Pending p = multilineStack.pollLast();
                if (p != null) {
                    nextPtr = p.ptr();
                    multilineSeqDepth = p.seqDepth();
                } else {
                    nextPtr = null;
                    multilineSeqDepth = 0;
                }
            } else {
                s = nextPtr.substring(0, end);
                nextPtr = nextPtr.substring(end + 1);
            }
            return s;
        }
        return nextFileLine();
    }

    private String nextSeqLine() {
        Seq seq = seqs.getLast();
        if (seq.lstParams == null) {
            if (++seq.emitted > MAX_GENERATED_LINES) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "jlvs: ~SEQ '" + seq.var + "' generates more than "
                    + MAX_GENERATED_LINES + " lines - stopping it");
            seqs.removeLast();
            return "";
        }
        String val = seq.hex ? Long.toHexString(seq.next) : Long.toString(seq.next);
            setDefinition(seq.var, val);
            String text = seq.text;
            seq.next += seq.step;
            if ((seq.step > 0 && seq.next > seq.last) || (seq.step < 0 && seq.next < seq.last)) {
                seqs.removeLast();
            }
            return text;
        }
        List<String> values = seq.lstValues.get(seq.lstIndex);
        for (int i = 0; i < seq.lstParams.size(); i++) {
            setDefinition(seq.lstParams.get(i), values.get(i));
        }
        String text = seq.text;
        if (seq.lstIndex == seq.lstValues.size() - 1) {
            seqs.removeLast();
        } else {
            seq.lstIndex++;
        }
        return text;
    }

    private String nextFileLine() {
        while (true) {
            if (stack.isEmpty()) {
                return null;
            }
            Frame file = stack.peek();
            Chunk c = file.source == null ? null : file.source.next();
            if (c == null) {
                if (getNextFile()) {
                    continue;
                }
                return null;
            }
            String buf = c.text();
            boolean newline = c.newline();
            int nul = buf.indexOf('\0');
            if (nul >= 0) {
                // C strings end at the NUL: the rest of the chunk, its newline included, is not seen
                buf = buf.substring(0, nul);
                newline = false;
            }
            if (readingCopy) {
                if (buf.startsWith("#")) {
                    if (buf.startsWith("#!")) {
                        continue; // file errors are reported by the first pass only
                    }
                    Frame f = new Frame();
                    f.source = file.source;
                    f.numMatches = 1;
                    f.fromCopy = true;
                    f.currentName = buf.length() > 2 ? buf.substring(2) : "";
                    if (f.currentName.indexOf('/') >= 0) {
                        f.savedCwd = cwd;
                        cwd = resolveDir(f.currentName);
                    }
                    stack.push(f);
                    continue;
                } else if (buf.equals("!")) {
                    Frame f = stack.pop();
                    if (f.savedCwd != null) {
                        cwd = f.savedCwd;
                    }
                    continue;
                }
            }
            if (newline) {
                file.lineNo++;
            }
            int len = buf.length();
            while (len > 0 && (buf.charAt(len - 1) == '\n' || buf.charAt(len - 1) == '\r')) {
                len--;
            }
            buf = buf.substring(0, len);
            if (len == 0 && multilineParamDef) {
                multilineParamDef = false;
                if (multilineDef.value.isEmpty()) {
                    multilineDef.multiline = false;
                }
            }
            if (len == 0) {
                if (copyOut != null) {
                    copyOut.add("");
                }
                continue;
            }
            buf = decomment(buf);
            if (copyOut != null) {
                copyOut.add(isInclude(buf) ? "" : buf);
            }
            if (!buf.isEmpty()) {
                return buf;
            }
        }
    }

    private Path resolveDir(String fileName) {
        int slash = fileName.lastIndexOf('/');
        String dir = slash == 0 ? "/" : fileName.substring(0, slash);
        Path p = Path.of(dir);
        return p.isAbsolute() ? p : cwd.resolve(p);
    }

    // ---------------------------------------------------------------- @, $, ~SEQ

    /** The conditional/definition/generator/substitution stage; "" when the line was consumed. */
    private String process(String buf) {
        boolean recheck;
        do {
            recheck = false;
            if (buf.startsWith("@")) {
                boolean rev = buf.length() > 1 && buf.charAt(1) == '^';
                int ofs = rev ? 2 : 1;
                int blank = indexOfBlank(buf, ofs);
                if (blank < 0) {
                    return "";
                }
                String id = buf.substring(ofs, blank);
                boolean differs = configId == null || !id.equals(configId);
                if (differs != rev) {
                    return "";
                }
                int start = blank;
                while (start < buf.length() && isBlank(buf.charAt(start))) {
                    start++;
                }
                buf = buf.substring(start);
            }
            if (buf.startsWith("$")) {
                Def d = checkDefinition(buf);
                if (d != null) {
                    if (d.multiline) {
                        multilineParamDef = true;
                        multilineDef = d;
                    }
                    return "";
                }
            }
            if (buf.startsWith("~SEQ") || buf.startsWith("~LST")) {
                if (buf.charAt(1) == 'S') {
                    if (!addSeq(buf)) {
                        reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ specification '" + buf + "'");
                    }
                } else if (!addLst(buf)) {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~LST specification '" + buf + "'");
                }
                return "";
            }
            if (buf.startsWith("~")) {
                break;
            }
            if (buf.indexOf('$') >= 0) {
                String[] holder = {buf};
                String[] multiline = {nextPtr};
                if (!replaceParam(holder, MAXBUF, multiline)) {
                    buf = holder[0];
                    break;
                }
                nextPtr = multiline[0];
                buf = decomment(holder[0]);
                if (buf.startsWith("@") || buf.indexOf('$') >= 0) {
                    recheck = true;
                }
            }
        } while (recheck);
        return buf;
    }

    private static int indexOfBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(char c) {
        return isAlpha(c) || (c >= '0' && c <= '9');
    }

    private void stdDefinition(String name, String value, String fn, int maxParams) {
        Def d = new Def(name);
        d.value = value;
        d.fn = fn;
        d.maxParams = maxParams;
        defs.put(name, d);
    }

    private void setDefinition(String name, String value) {
        Def d = defs.computeIfAbsent(name, Def::new);
        d.fn = null;
        d.value = value;
    }

    /** {@code $NAME=VALUE}; returns the definition, or null when the line is not one. */
    private Def checkDefinition(String buf) {
        if (buf.length() < 2 || (!isAlpha(buf.charAt(1)) && buf.charAt(1) != '_')) {
            return null;
        }
        int p = 2;
        while (p < buf.length() && buf.charAt(p) != '=') {
            if (!isAlnum(buf.charAt(p)) && buf.charAt(p) != '_') {
                return null;
            }
            p++;
        }
        if (p >= buf.length()) {
            return null;
        }
        String name = buf.substring(1, p);
        Def d = defs.get(name);
        if (d == null) {
            d = new Def(name);
            defs.put(name, d);
        }
        d.fn = null;
        p++;
        while (p < buf.length() && isBlank(buf.charAt(p))) {
            p++;
        }
        String v = buf.substring(p);
        int len = v.length();
        if (len > 0 && v.charAt(len - 1) == '\\') {
            while (len >= 2 && isBlank(v.charAt(len - 2))) {
                len--;
            }
            if (len < 2) {
                d.value = "";
            } else {
                d.value = v.substring(0, len - 1) + LINE_END;
            }
            d.multiline = true;
        } else {
            d.value = v;
            d.multiline = false;
        }
        return d;
    }

    /** A reference to a definition found at a {@code $}: the definition and where the reference ends. */
    private record Ref(Def def, int end, String params) {}

    private Ref findRef(String buf, int dollar) {
        int name = dollar + 1;
        boolean braces = false;
        if (name < buf.length() && buf.charAt(name) == '{') {
            braces = true;
            name++;
        }
        if (name >= buf.length() || (!isAlpha(buf.charAt(name)) && buf.charAt(name) != '_')) {
            return null;
        }
        int p = name + 1;
        while (p < buf.length() && (isAlnum(buf.charAt(p)) || buf.charAt(p) == '_')) {
            p++;
        }
        int len = p - name;
        int paramStart = -1;
        int paramEnd = -1;
        int end;
        if (braces) {
            while (p < buf.length() && (buf.charAt(p) == ' ' || Character.isDigit(buf.charAt(p)))) {
                if (buf.charAt(p) != ' ') {
                    if (paramStart < 0) {
                        paramStart = p;
                    }
                    paramEnd = p;
                }
                p++;
            }
            if (paramStart >= 0 && paramEnd + 1 != p) {
                return null;
            }
            if (p >= buf.length() || buf.charAt(p) != '}') {
                return null;
            }
            end = p + 1;
        } else {
            if (p < buf.length()) {
                char c = buf.charAt(p);
                if (c != ' ' && c != '\t' && c != ',' && c != ')') {
                    return null;
                }
            }
            end = p;
        }
        boolean allowMultiline = (!braces && name + len == buf.length()) || (braces && name + len + 1 == buf.length());
        Def d = defs.get(buf.substring(name, name + len));
        if (d == null || (!allowMultiline && d.multiline)) {
            return null;
        }
        if (paramStart >= 0 && d.maxParams == 0) {
            return null;
        }
        return new Ref(d, end, paramStart >= 0 ? buf.substring(paramStart, paramEnd + 1) : null);
    }

    private String defValue(Def d, String params) {
        if (d.fn == null) {
            return d.value;
        }
        return switch (d.fn) {
            case "pwd" -> {
                try {
                    yield cwd.toRealPath().toString();
                } catch (IOException e) {
                    yield cwd.toAbsolutePath().normalize().toString();
                }
            }
            case "instance" -> configId == null ? "" : configId;
            default -> {
                long min = 0;
                long max = 32767;
                if (params != null) {
                    Numbers.CParse a = Numbers.strtoul(params, 0, 10);
                    min = a.value();
                    if (a.end() < params.length()) {
                        Numbers.CParse b = Numbers.strtoul(params, a.end(), 10);
                        max = b.value();
                        if (b.end() != params.length()) {
                            reporter.log("Too many parameters or extra text for ${_RANDOM " + params + "}");
                        }
                    }
                }
                long span = max - min + 1;
                yield Long.toString(span <= 0 ? min : Math.floorMod(random.nextLong(), span) + min);
            }
        };
    }

    /**
     * {@code replace_param}: substitutes every defined {@code $NAME}/{@code ${NAME}} in {@code buf[0]},
     * rescanning replacement text; a multi-line definition contributes its first line here and the rest
     * through {@code multiline[0]}.
     *
     * @return whether anything was replaced
     */
    private boolean replaceParam(String[] holder, int maxLen, String[] multiline) {
        StringBuilder buf = new StringBuilder(holder[0]);
        int cur = 0;
        boolean found = false;
        String next = null;
        String multilinePtr = multiline[0];
        int substitutions = 0;
        while (true) {
            cur = buf.indexOf("$", cur);
            if (cur < 0 || cur + 1 >= buf.length()) {
                break;
            }
            Ref ref = findRef(buf.toString(), cur);
            if (ref == null) {
                cur++;
                continue;
            }
            Def d = ref.def();
            if (++substitutions > MAX_SUBSTITUTIONS) {
                reporter.log("jlvs: more than " + MAX_SUBSTITUTIONS + " substitutions on line '" + buf + "' - stopping");
                holder[0] = buf.toString();
                return false;
            }
            found = true;
            next = multilinePtr;
            if (d.multiline && multilinePtr != null) {
                multilineStack.addLast(new Pending(multilinePtr, multilineSeqDepth));
            }
            if (d.multiline) {
                multilineSeqDepth = seqs.size();
            }
            String value = defValue(d, ref.params());
            if (d.fn != null) {
                d.value = value;
            }
            String replacing;
            if (d.multiline) {
                int nl = value.indexOf(LINE_END);
                replacing = nl < 0 ? value : value.substring(0, nl);
                next = nl < 0 ? "" : value.substring(nl + 1);
                multilinePtr = next;
            } else {
                replacing = value;
            }
            int replacedTotal = ref.end() - cur;
            if (buf.length() + replacing.length() - replacedTotal >= maxLen) {
                reporter.log("Parameter substitution on line '" + buf + "' would exceed maximum line length");
                holder[0] = buf.toString();
                return false;
            }
            buf.replace(cur, ref.end(), replacing);
            int k = 0;
            while (k < value.length() && isBlank(value.charAt(k))) {
                k++;
            }
            if (k < value.length() && value.charAt(k) == '~') {
                break;
            }
        }
        holder[0] = buf.toString();
        if (found) {
            multiline[0] = next;
        }
        return found;
    }

    private boolean addSeq(String buf) {
        int p = 4;
        boolean hex = false;
        if (p < buf.length() && buf.charAt(p) == 'x') {
            p++;
            hex = true;
        }
        p = skipBlanks(buf, p);
        if (p >= buf.length() || buf.charAt(p++) != '(') {
            return false;
        }
        p = skipBlanks(buf, p);
        int var = p;
        while (p < buf.length() && " \t,)".indexOf(buf.charAt(p)) < 0) {
            p++;
        }
        int varEnd = p;
        p = skipBlanks(buf, p);
        if (p >= buf.length() || buf.charAt(p) == ')' || p == var) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ definition '" + buf + "'");
            return false;
        }
        p++;
        p = skipBlanks(buf, p);
        int endSeq = buf.indexOf(')', p);
        if (endSeq < 0) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ definition '" + buf + "'");
            return false;
        }
        if (endSeq + 1 - p + 1 > 3 * 20 + 3 + 1) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "~SEQ parameter strings too long '" + buf + "'");
            return false;
        }
        String[] holder = {buf.substring(p, endSeq + 1)};
        String[] ml = {null};
        replaceParam(holder, 3 * 20 + 3 + 1, ml);
        if (ml[0] != null) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "~SEQ parameter is multiline definition '" + buf + "'");
            return false;
        }
        String s = holder[0];
        long start;
        long step;
        long end;
        Numbers.CParse one = Numbers.strtol(s, 0, 0);
        int q = skipBlanks(s, one.end());
        if (q < s.length() && s.charAt(q) == ')') {
            end = one.value();
            step = end < 1 ? -1 : 1;
            start = end < 0 ? -1 : 1;
        } else {
            if (q >= s.length() || s.charAt(q) != ',') {
                reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ definition '" + buf + "'");
                return false;
            }
            Numbers.CParse two = Numbers.strtol(s, q + 1, 0);
            q = skipBlanks(s, two.end() == q + 1 ? q + 1 : two.end());
            if (q < s.length() && s.charAt(q) == ')') {
                start = one.value();
                end = two.value();
                step = start <= end ? 1 : -1;
            } else {
                if (q >= s.length() || s.charAt(q) != ',') {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ definition '" + buf + "'");
                    return false;
                }
                Numbers.CParse three = Numbers.strtol(s, q + 1, 0);
                q = skipBlanks(s, three.end() == q + 1 ? q + 1 : three.end());
                if (q >= s.length() || s.charAt(q) != ')') {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ definition '" + buf + "'");
                    return false;
                }
                start = one.value();
                step = two.value();
                end = three.value();
                if (step == 0 || (start < end && step < 0) || (start > end && step > 0)) {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid ~SEQ values '" + buf + "'");
                    return false;
                }
            }
        }
        if (hex && (start < 0 || end < 0)) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "~SEQx is only valid for positive numbers '" + buf + "'");
            return false;
        }
        int t = skipBlanks(buf, endSeq + 1);
        Seq seq = new Seq();
        seq.var = buf.substring(var, varEnd);
        seq.next = start;
        seq.step = step;
        seq.last = end;
        seq.hex = hex;
        seq.text = buf.substring(t);
        seqs.add(seq);
        return true;
    }

    private boolean addLst(String buf) {
        int p = 4;
        p = skipBlanks(buf, p);
        if (p >= buf.length() || buf.charAt(p++) != '(') {
            return false;
        }
        p = skipBlanks(buf, p);
        char endChar;
        if (at(buf, p) == '{') {
            endChar = '}';
            p = skipBlanks(buf, p + 1);
        } else {
            endChar = ',';
        }
        List<String> params = new ArrayList<>();
        int numVars = 0;
        while (true) {
            int var = p;
            while (p < buf.length() && " \t,}".indexOf(buf.charAt(p)) < 0) {
                p++;
            }
            params.add(buf.substring(var, p));
            p = skipBlanks(buf, p);
            if (at(buf, p) == endChar) {
                break;
            }
            if (at(buf, p) != ',') {
                return false;
            }
            p = skipBlanks(buf, p + 1);
            numVars++;
        }
        if (at(buf, p) == '}') {
            p = skipBlanks(buf, p + 1);
        }
        if (at(buf, p) != ',') {
            return false;
        }
        p++;
        p = skipBlanks(buf, p);
        List<List<String>> valueSets = new ArrayList<>();
        while (true) {
            List<String> values = new ArrayList<>();
            if (at(buf, p) == '{') {
                endChar = '}';
                p = skipBlanks(buf, p + 1);
            } else {
                endChar = ',';
            }
            int numValues = 0;
            while (true) {
                int v = p;
                while (p < buf.length() && " \t,})".indexOf(buf.charAt(p)) < 0) {
                    p++;
                }
                values.add(buf.substring(v, p));
                p = skipBlanks(buf, p);
                if (at(buf, p) == endChar || (at(buf, p) == ')' && endChar == ',')) {
                    break;
                }
                if (at(buf, p) != ',') {
                    return false;
                }
                p = skipBlanks(buf, p + 1);
                if (++numValues > numVars) {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "~LST specification has too many values '" + buf + "'");
                    return false;
                }
            }
            for (; numValues < numVars; numValues++) {
                values.add("");
            }
            valueSets.add(values);
            if (at(buf, p) == '}' && endChar == '}') {
                p = skipBlanks(buf, p + 1);
            }
            if (at(buf, p) == ')') {
                break;
            }
            if (at(buf, p) != ',') {
                return false;
            }
            p = skipBlanks(buf, p + 1);
        }
        if (params.isEmpty() || valueSets.isEmpty()) {
            return false;
        }
        p = skipBlanks(buf, p + 1);
        Seq seq = new Seq();
        seq.lstParams = params;
        seq.lstValues = valueSets;
        seq.text = p <= buf.length() ? buf.substring(Math.min(p, buf.length())) : "";
        seqs.add(seq);
        return true;
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static int skipBlanks(String s, int p) {
        while (p < s.length() && isBlank(s.charAt(p))) {
            p++;
        }
        return p;
    }

    // ---------------------------------------------------------------- comments and braces

    /**
     * keepalived's {@code decomment}: leading blanks removed; outside double quotes {@code #} or {@code !}
     * starts a comment and {@code \#}/{@code \!} become literal; a final {@code \} (continuation) is kept;
     * trailing blanks removed. Reports an unterminated quote.
     */
    String decomment(String in) {
        int start = 0;
        while (start < in.length() && isBlank(in.charAt(start))) {
            start++;
        }
        StringBuilder s = new StringBuilder(in.substring(start));
        boolean quote = false;
        boolean cont = false;
        int skip = -1;
        int p = 0;
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c != '!' && c != '#' && c != '"' && c != '\\') {
                p++;
                continue;
            }
            if (c == '"') {
                if (skip < 0) {
                    quote = !quote;
                }
                p++;
                continue;
            }
            if (c == '\\') {
                if (p + 1 < s.length()) {
                    char n = s.charAt(p + 1);
                    if (!quote && (n == '#' || n == '!')) {
                        s.deleteCharAt(p);
                        p++;
                    } else {
                        p += 2;
                    }
                    continue;
                }
                s.setLength(p);
                cont = true;
                break;
            }
            if (!quote && skip < 0) {
                skip = p;
            }
            p++;
        }
        if (quote) {
            reporter.error(ConfigStatus.GENERAL_ERROR, "Unterminated quote '" + s + "'");
        }
        if (skip >= 0 && skip < s.length()) {
            s.setLength(skip);
        }
        int len = s.length();
        while (len > 0 && isBlank(s.charAt(len - 1))) {
            len--;
        }
        s.setLength(len);
        if (cont) {
            s.append('\\');
        }
        return s.toString();
    }

    /** Splits off the first brace outside double quotes; the rest is kept for the next call. */
    private String splitBraces(String buf) {
        if (!buf.isEmpty()) {
            int p = 0;
            if (buf.charAt(0) != '{' && buf.charAt(0) != '}') {
                p = -1;
                int i = 0;
                while (i < buf.length()) {
                    char c = buf.charAt(i);
                    if (c == '{' || c == '}') {
                        p = i;
                        break;
                    }
                    if (c == '"') {
                        int close = buf.indexOf('"', i + 1);
                        if (close < 0) {
                            break;
                        }
                        i = close + 1;
                        continue;
                    }
                    i++;
                }
            }
            if (p >= 0 && p < buf.length() && (buf.charAt(p) == '{' || buf.charAt(p) == '}')) {
                int skip = 0;
                if (p == 0) {
                    skip = 1;
                    while (skip < buf.length() && isBlank(buf.charAt(skip))) {
                        skip++;
                    }
                }
                if (p + skip < buf.length()) {
                    String rest = buf.substring(p + skip);
                    int len = rest.length();
                    while (len > 0 && isBlank(rest.charAt(len - 1))) {
                        len--;
                    }
                    residue = rest.substring(0, len);
                    buf = buf.substring(0, p + skip);
                }
            }
            int len = buf.length();
            while (len > 0 && isBlank(buf.charAt(len - 1))) {
                len--;
            }
            buf = buf.substring(0, len);
            if (buf.equals("{")) {
                blockDepth++;
            } else if (buf.equals("}")) {
                if (blockDepth-- < 1) {
                    reporter.error(ConfigStatus.UNEXPECTED_EOB, "Extra '}' found");
                    blockDepth = 0;
                }
            }
        }
        return buf;
    }

    // ---------------------------------------------------------------- include

    static boolean isInclude(String buf) {
        if (!buf.startsWith("include") || buf.length() <= 7) {
            return false;
        }
        char c7 = buf.charAt(7);
        if (isSpace(c7)) {
            return true;
        }
        return buf.length() > 8 && isSpace(buf.charAt(8)) && "rmwba".indexOf(c7) >= 0;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    private boolean checkInclude(String buf) {
        if (!isInclude(buf)) {
            return false;
        }
        int p;
        int type;
        if (isSpace(buf.charAt(7))) {
            p = 8;
            type = INCLUDE;
        } else {
            p = 9;
            type = switch (buf.charAt(7)) {
                case 'r' -> INCLUDE_R;
                case 'a' -> INCLUDE_R | INCLUDE_M | INCLUDE_B | INCLUDE_W;
                case 'w' -> INCLUDE_R | INCLUDE_M | INCLUDE_W;
                case 'm' -> INCLUDE_R | INCLUDE_M;
                default -> INCLUDE_R | INCLUDE_B;
            };
        }
        p = Math.min(p, buf.length());
        while (p < buf.length() && isBlank(buf.charAt(p))) {
            p++;
        }
        openGlobFile(buf.substring(p), type);
        return true;
    }

    /** {@code file_config_error}: a file problem, an error only when the active include checks ask for it. */
    private void fileError(int errorType, String message) {
        Frame top = stack.peek();
        int checks = includeCheck | (top == null ? 0 : top.includeType);
        if ((checks & errorType) != 0) {
            reporter.error(ConfigStatus.FILE_NOT_FOUND, message);
            reporter.markFileError();
        } else {
            reporter.error(ConfigStatus.OK, message);
        }
    }

    private boolean openGlobFile(String pattern, int includeType) {
        Frame f = new Frame();
        f.includeType = includeType;
        f.savedIncludeCheck = includeCheck;
        stack.push(f);
        Glob.Result g = Glob.glob(pattern, cwd);
        if (g.noMatch()) {
            if (g.missingFiles() > 0 || g.missingDirectories() > 0) {
                fileError(Glob.hasBrace(pattern) ? INCLUDE_B : INCLUDE_M, "Config files missing '" + pattern + "'.");
            } else if (g.haveWildcards() && ((includeCheck | includeType) & INCLUDE_W) != 0) {
                fileError(INCLUDE_W, "No config files matched '" + pattern + "'.");
            }
            stack.pop();
            return false;
        }
        if (g.missingFiles() > 0 || g.missingDirectories() > 0) {
            fileError(INCLUDE_B, "Some config files missing: \"" + pattern + "\".");
            if (((includeCheck | includeType) & INCLUDE_B) != 0) {
                stack.pop();
                return false;
            }
        }
        f.matches = g.paths();
        if (!openConfFile(f)) {
            stack.pop();
            return false;
        }
        return true;
    }

    /** Opens the next usable match of a frame's glob; false when none is left. */
    private boolean openConfFile(Frame f) {
        while (f.globNext < f.matches.size()) {
            String name = f.matches.get(f.globNext++);
            if (!checkGlobFile(name)) {
                continue;
            }
            Path path = name.startsWith("/") ? Path.of(name) : cwd.resolve(name);
            if (stack.size() > MAX_INCLUDE_DEPTH) {
                fileError(INCLUDE_R, "Configuration file '" + name + "' open problem (Too many open files) - skipping");
                continue;
            }
            String content;
            try {
                content = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                fileError(INCLUDE_R, "Configuration file '" + name + "' open problem (" + e.getMessage() + ") - skipping");
                continue;
            }
            if (copyOut != null) {
                copyOut.add("# " + name);
            }
            f.source = new Source(chunk(content));
            f.numMatches++;
            if (stack.size() > 1 || f.matches.size() > 1) {
                f.currentName = name;
            }
            f.lineNo = 0;
            if (name.indexOf('/') >= 0) {
                f.savedCwd = cwd;
                cwd = resolveDir(name);
            } else {
                f.savedCwd = null;
            }
            return true;
        }
        return false;
    }

    /** keepalived's {@code check_glob_file}: not a directory, a regular file without execute bits. */
    private boolean checkGlobFile(String name) {
        if (name.endsWith("/")) {
            fileError(INCLUDE_R, "Configuration file '" + name + "' is a directory - skipping");
            return false;
        }
        Path p = name.startsWith("/") ? Path.of(name) : cwd.resolve(name);
        boolean ok;
        try {
            ok = Files.isRegularFile(p);
            if (ok) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                ok = !perms.contains(PosixFilePermission.OWNER_EXECUTE) && !perms.contains(PosixFilePermission.GROUP_EXECUTE)
                        && !perms.contains(PosixFilePermission.OTHERS_EXECUTE);
            }
        } catch (IOException | UnsupportedOperationException e) {
            ok = false;
        }
        if (!ok) {
            fileError(INCLUDE_R, "Configuration file '" + name + "' is not a regular non-executable file - skipping");
        }
        return ok;
    }

    /** End of the top frame's current file: the next glob match, or back to the including file. */
    private boolean getNextFile() {
        Frame f = stack.peek();
        if (copyOut != null && !f.fromCopy) {
            copyOut.add("!");
        }
        includeCheck = f.savedIncludeCheck;
        if (f.savedCwd != null) {
            cwd = f.savedCwd;
            f.savedCwd = null;
        }
        if (!f.fromCopy && openConfFile(f)) {
            return true;
        }
        if (!f.fromCopy && f.numMatches == 0) {
            reporter.log("No config files matched '" + String.join(" ", f.matches) + "'.");
        }
        stack.pop();
        return !stack.isEmpty();
    }

    /** Static check of a main configuration file as keepalived's {@code check_conf_file} does before parsing. */
    public static boolean checkConfFile(Reporter r, String confFile, Path cwd) {
        LineReader lr = new LineReader(r, cwd, null, false, null);
        r.position(lr);
        Glob.Result g = Glob.glob(confFile, cwd);
        if (g.noMatch()) {
            if (g.missingFiles() > 0 || g.missingDirectories() > 0) {
                lr.fileError(Glob.hasBrace(confFile) ? INCLUDE_B : INCLUDE_M, "Config files missing '" + confFile + "'.");
            } else if (g.haveWildcards() && (INCLUDE & INCLUDE_W) != 0) {
                lr.fileError(INCLUDE_W, "No config files matched '" + confFile + "'.");
            }
            return false;
        }
        if (g.missingFiles() > 0 || g.missingDirectories() > 0) {
            lr.fileError(INCLUDE_B, "Some config files missing: \"" + confFile + "\".");
        }
        boolean ret = true;
        int matches = 0;
        for (String name : g.paths()) {
            if (!lr.checkGlobFile(name)) {
                ret = false;
                continue;
            }
            Path p = name.startsWith("/") ? Path.of(name) : cwd.resolve(name);
            if (!Files.isReadable(p)) {
                r.error(ConfigStatus.FILE_NOT_FOUND, "Unable to read configuration file " + name);
                ret = false;
                break;
            }
            matches++;
        }
        if (ret) {
            if (matches > 1) {
                r.error(ConfigStatus.MULTIPLE_FILES, "WARNING, multiple configuration file matches of " + confFile
                        + ", starting with " + g.paths().getFirst());
            } else if (matches == 0) {
                r.error(ConfigStatus.FILE_NOT_FOUND, "Unable to find configuration file " + confFile);
                ret = false;
            }
        }
        r.position(null);
        return ret;
    }
}
