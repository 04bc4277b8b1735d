package io.jlvs.keepalived.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads a keepalived.conf the way keepalived 2.2 does under {@code -t}: the static check of the main file,
 * the first pass over the real files (global_defs, includes, the consolidated copy), the start/shutdown script
 * check, then the checker pass with its validation, the VRRP pass and the BFD pass, each over the copy.
 * Every message keepalived prints is collected in keepalived's order with keepalived's prefixes, so
 * {@code jlvs keepalived -t} prints the same lines and exits with the same status.
 */
public final class ConfigLoader {
    /** What a load needs besides the file. */
    public record Options(String mainFile, Path cwd, boolean configTest, String configId, Accounts accounts,
                          int ourUid, Predicate<String> interfaceExists, Predicate<String> interfaceIsLoopback) {

        /** Defaults for this process: its working directory, host name, /etc/passwd, /sys/class/net. */
        public static Options system(String mainFile, boolean configTest, String configId) {
            return system(mainFile, Path.of("").toAbsolutePath(), configTest, configId);
        }

        /** Defaults for this process, with {@code cwd} as the directory relative names start from. */
        public static Options system(String mainFile, Path cwd, boolean configTest, String configId) {
            return new Options(mainFile, cwd, configTest,
                    configId != null ? configId : defaultConfigId(), Accounts.SYSTEM, currentUid(),
                    n -> !n.isEmpty() && !n.contains("/") && Files.exists(Path.of("/sys/class/net", n)),
                    n -> isLoopback(n));
        }
    }

    /**
     * The outcome of a load.
     *
     * @param config      the configuration, or {@code null} when the parse could not finish (missing parameter,
     *                    include failure, no main file)
     * @param diagnostics every message keepalived prints, in order
     * @param logs        messages keepalived sends to syslog only
     * @param status      the status the messages add up to
     * @param fatal       a missing parameter stopped the parse (keepalived exits 2)
     * @param fileError   an include violated the active checks (keepalived exits 6)
     * @param noConfig    the main file was missing, a directory or executable (keepalived exits 0 under -t,
     *                    refuses to start otherwise)
     */
    public record Result(KeepalivedConfig config, List<Diagnostic> diagnostics, List<String> logs, ConfigStatus status,
                         boolean fatal, boolean fileError, boolean noConfig) {
        /** {@code keepalived -t}'s exit status for this configuration. */
        public int configTestExitStatus() {
            if (fatal) {
                return 2;
            }
            if (fileError) {
                return 6;
            }
            return status.configTestExitStatus();
        }

        /** The messages that mean the file is not what its author meant (a reload must keep the old one). */
        public List<Diagnostic> blocking() {
            List<Diagnostic> out = new ArrayList<>();
            for (Diagnostic d : diagnostics) {
                if (d.blocksReload()) {
                    out.add(d);
                }
            }
            return out;
        }

        /** Whether a running daemon may switch to this configuration. */
        public boolean usableForReload() {
            return config != null && !fatal && !fileError && !noConfig && blocking().isEmpty();
        }

        /** Whether a daemon may start with it (keepalived starts with whatever parsed, warnings and all). */
        public boolean usableForStart() {
            return config != null && !fatal && !fileError && !noConfig;
        }
    }

    private ConfigLoader() {}

    public static Result load(Options o) {
        Reporter r = new Reporter(o.configTest());
        ParseContext c = new ParseContext(r, o.accounts(), o.ourUid(), o.interfaceExists(), o.interfaceIsLoopback());
        try {
            if (!LineReader.checkConfFile(r, o.mainFile(), o.cwd())) {
                return new Result(null, r.diagnostics(), r.logs(), r.status(), false, false, true);
            }
            List<String> copy = new ArrayList<>();
            // first pass: the real files
            c.pass = ParseContext.Pass.PARENT;
            LineReader top = LineReader.forFiles(r, o.mainFile(), o.cwd(), o.configId(), copy);
            if (top != null) {
                run(c, top, tree(c, ParseContext.Pass.PARENT));
            }
            r.position(null);
            if (r.fileError() || top == null) {
                return new Result(null, r.diagnostics(), r.logs(), r.status(), false, true, false);
            }
            GlobalDefs global = c.global.build();
            startStopScripts(c, global);
            // checker pass
            c.pass = ParseContext.Pass.CHECKER;
            run(c, LineReader.forCopy(r, o.mainFile(), o.cwd(), o.configId(), copy), tree(c, ParseContext.Pass.CHECKER));
            r.position(null);
            CheckValidator v = new CheckValidator(c);
            v.linkGroups();
            v.validate(global);
            v.scriptSecurity(global);
            // VRRP pass
            c.pass = ParseContext.Pass.VRRP;
            run(c, LineReader.forCopy(r, o.mainFile(), o.cwd(), o.configId(), copy), tree(c, ParseContext.Pass.VRRP));
            r.position(null);
            VrrpKeywords.validate(c);
            // BFD pass
            c.pass = ParseContext.Pass.BFD;
            List<String> bfdNames = new ArrayList<>();
            ParseContext.Pass pass = ParseContext.Pass.BFD;
            run(c, LineReader.forCopy(r, o.mainFile(), o.cwd(), o.configId(), copy), tree(c, pass, bfdNames));
            r.position(null);
            KeepalivedConfig config = new KeepalivedConfig(o.mainFile(), global, v.groups(), v.virtualServers(),
                    v.trackFiles(), c.vrrp.build(), bfdNames, c.bgp.build());
            return new Result(config, r.diagnostics(), r.logs(), r.status(), false, false, false);
        } catch (MissingParameterException e) {
            r.position(null);
            return new Result(null, r.diagnostics(), r.logs(), r.status(), true, r.fileError(), false);
        }
    }

    private static void run(ParseContext c, LineReader lr, List<Keyword> roots) {
        StreamParser p = new StreamParser(lr);
        c.parser = p;
        p.run(roots);
        c.reporter.position(null);
        if (lr.blockDepth() > 0) {
            c.reporter.error(ConfigStatus.MISSING_EOB, "There are " + lr.blockDepth() + " missing '}'s or extra '{'s");
        }
    }

    private static List<Keyword> tree(ParseContext c, ParseContext.Pass pass) {
        return tree(c, pass, c.bfdNames);
    }

    private static List<Keyword> tree(ParseContext c, ParseContext.Pass pass, List<String> bfdNames) {
        Keyword.Table t = new Keyword.Table();
        switch (pass) {
            case PARENT -> {
                GlobalKeywords.install(t, true, c);
                BgpKeywords.install(t, true, c);
                VrrpKeywords.install(t, false, c);
                CheckKeywords.install(t, false, c);
                BfdKeywords.install(t, false, c, new ArrayList<>());
                CheckKeywords.installTrackFile(t, false, c, new ArrayList<>());
            }
            case CHECKER -> {
                GlobalKeywords.install(t, false, c);
                BgpKeywords.install(t, false, c);
                CheckKeywords.install(t, true, c);
                VrrpKeywords.install(t, false, c);
                BfdKeywords.install(t, true, c, c.bfdNames);
                CheckKeywords.installTrackFile(t, true, c, c.check.trackFiles);
            }
            case VRRP -> {
                GlobalKeywords.install(t, false, c);
                BgpKeywords.install(t, false, c);
                VrrpKeywords.install(t, true, c);
                CheckKeywords.install(t, false, c);
                BfdKeywords.install(t, true, c, new ArrayList<>());
                CheckKeywords.installTrackFile(t, true, c, new ArrayList<>());
            }
            case BFD -> {
                GlobalKeywords.install(t, false, c);
                BgpKeywords.install(t, false, c);
                BfdKeywords.install(t, true, c, bfdNames);
                CheckKeywords.install(t, false, c);
                VrrpKeywords.install(t, false, c);
                CheckKeywords.installTrackFile(t, false, c, new ArrayList<>());
            }
        }
        return t.roots;
    }

    /** keepalived's check of {@code startup_script}/{@code shutdown_script} before the later passes. */
    private static void startStopScripts(ParseContext c, GlobalDefs g) {
        if (g.startupScript() == null && g.shutdownScript() == null) {
            return;
        }
        int flags = 0;
        for (Script s : new Script[] {g.startupScript(), g.shutdownScript()}) {
            if (s != null) {
                flags |= c.scripts.secure(s);
            }
        }
        if (!c.scripts.scriptSecurity && (flags & ScriptChecks.SC_ISSCRIPT) != 0) {
            c.reporter.error(ConfigStatus.SECURITY_ERROR, "SECURITY VIOLATION - start/shutdown scripts are being executed"
                    + " but script_security not enabled." + ((flags & ScriptChecks.SC_INSECURE) != 0
                    ? " There are insecure scripts." : ""));
        }
    }

    /** The host name up to its first dot (keepalived's default {@code -i}). */
    public static String defaultConfigId() {
        String host = null;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            host = System.getenv("HOSTNAME");
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        int dot = host.indexOf('.');
        return dot >= 0 ? host.substring(0, dot) : host;
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean isLoopback(String name) {
        try {
            return Files.readString(Path.of("/sys/class/net", name, "type")).strip().equals("772");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
