package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the passes of one parse share, as keepalived's process-wide globals are shared by its passes under
 * {@code -t}: the reporter, script accounts and security, and what each pass builds (global_defs in the
 * first pass, the checker data in the checker pass, the VRRP data in the VRRP pass).
 */
final class ParseContext {
    /** Which pass is running (keepalived's {@code prog_type}). */
    enum Pass { PARENT, CHECKER, VRRP, BFD }

    final Reporter reporter;
    final ScriptChecks scripts;
    final Predicate<String> interfaceExists;
    final Predicate<String> interfaceIsLoopback;
    Pass pass = Pass.PARENT;
    StreamParser parser;

    // first pass
    final GlobalBuilder global = new GlobalBuilder();
    final BgpKeywords.Builder bgp = new BgpKeywords.Builder();
    // checker pass
    final CheckData check = new CheckData();
    final List<String> bfdNames = new ArrayList<>();
    // VRRP pass
    final VrrpBuilder vrrp = new VrrpBuilder();

    ParseContext(Reporter reporter, Accounts accounts, int ourUid, Predicate<String> interfaceExists,
                 Predicate<String> interfaceIsLoopback) {
        this.reporter = reporter;
        this.scripts = new ScriptChecks(accounts, reporter, ourUid);
        this.interfaceExists = interfaceExists;
        this.interfaceIsLoopback = interfaceIsLoopback;
    }

    /**
     * {@code notify_script_init}: the program of a notify-type keyword, re-tokenised shell-like from the
     * line ({@code KEYWORD "cmd args" [USER [GROUP]]}). Null when it cannot be used (logged only).
     */
    Script notifyScript(Words w, String type) {
        List<String> qe = ShellWords.split(reporter, w.raw());
        if (qe == null) {
            reporter.log("Unable to parse notify script");
            return null;
        }
        List<String> argv = qe.size() >= 2 ? ShellWords.split(reporter, qe.get(1)) : null;
        if (argv == null) {
            reporter.log("Unable to parse script '" + (qe.size() > 1 ? qe.get(1) : "") + "' - ignoring");
            return null;
        }
        if (qe.size() > 2) {
            String group = qe.size() > 3 ? qe.get(3) : null;
            if (scripts.ids(qe.get(2), group) == null) {
                reporter.log("Invalid user/group for " + type + " script " + argv.getFirst() + " - ignoring");
                return null;
            }
            return new Script(argv, qe.get(2), group);
        }
        Script s = scripts.withDefaultUser(argv);
        if (s == null) {
            reporter.log("Failed to set default user for " + type + " script " + argv.getFirst() + " - ignoring");
        }
        return s;
    }

    /** The argv of a program keyword without account handling ({@code set_script_params_array}). */
    List<String> programWords(Words w) {
        List<String> qe = ShellWords.split(reporter, w.raw());
        if (qe == null || qe.size() < 2) {
            return null;
        }
        return ShellWords.split(reporter, qe.get(1));
    }

    /** Global_defs while parsed. */
    static final class GlobalBuilder {
        String routerId;
        final List<String> emails = new ArrayList<>();
        String emailFrom;
        String smtpServer;
        int smtpPort = 25;
        String smtpHelo;
        long smtpTimeoutS = 30;
        Boolean smtpAlert;
        Boolean smtpAlertVrrp;
        Boolean smtpAlertChecker;
        boolean checkerLogAllFailures;
        boolean noCheckerEmails;
        boolean rsInitNotifies;
        boolean noEmailFaults;
        String scriptUser;
        String scriptGroup;
        boolean scriptSecurity;
        Script startup;
        long startupTimeoutS;
        Script shutdown;
        long shutdownTimeoutS;
        long tcpTimeout;
        long tcpFinTimeout;
        long udpTimeout;
        boolean lvsFlush;
        GlobalDefs.FlushOnStop flushOnStop = GlobalDefs.FlushOnStop.NONE;
        String syncIf;
        String syncInst;
        int syncId = -1;
        int syncMaxLen = -1;
        int syncPort = -1;
        int syncTtl = -1;
        String syncGroup;
        String fifo;
        Script fifoScript;
        String lvsFifo;
        Script lvsFifoScript;
        String vrrpFifo;
        Script vrrpFifoScript;
        String netNamespace;
        String instance;
        // VRRP globals
        String mcast4;
        String mcast6;
        int vrrpVersion;
        long garpDelayUs = -1;
        long garpRepeat = -1;
        long garpRefreshS = -1;
        long garpRefreshRepeat = -1;
        long garpLowerDelayUs = -1;
        long garpLowerRepeat = -1;
        long garpIntervalUs = -1;
        long gnaIntervalUs = -1;
        boolean minGarp;
        boolean lowerPrioNoAdvert;
        boolean higherPrioSendAdvert;
        long downTimerAdverts = -1;
        boolean strict;
        boolean skipCheckAdvAddr;
        boolean checkUnicastSrc;
        long startupDelayUs = -1;
        String defaultInterface;
        boolean dynamicInterfaces;
        boolean notifyPriorityChanges;
        final Map<String, List<String>> keywords = new LinkedHashMap<>();

        GlobalDefs build() {
            GlobalDefs.SyncDaemon sync = syncIf == null ? null
                    : new GlobalDefs.SyncDaemon(syncIf, syncInst, syncId, syncMaxLen, syncPort, syncTtl, syncGroup);
            return new GlobalDefs(routerId, emails, emailFrom, smtpServer, smtpPort, smtpHelo, smtpTimeoutS, smtpAlert,
                    smtpAlertVrrp, smtpAlertChecker, checkerLogAllFailures, noCheckerEmails, rsInitNotifies,
                    noEmailFaults, scriptUser, scriptGroup, scriptSecurity, startup, startupTimeoutS, shutdown,
                    shutdownTimeoutS, new GlobalDefs.LvsTimeouts(tcpTimeout, tcpFinTimeout, udpTimeout), lvsFlush,
                    flushOnStop, sync, fifo == null ? null : new GlobalDefs.Fifo(fifo, fifoScript),
                    lvsFifo == null ? null : new GlobalDefs.Fifo(lvsFifo, lvsFifoScript),
                    vrrpFifo == null ? null : new GlobalDefs.Fifo(vrrpFifo, vrrpFifoScript),
                    new GlobalDefs.VrrpGlobals(mcast4, mcast6, vrrpVersion, garpDelayUs, garpRepeat, garpRefreshS,
                            garpRefreshRepeat, garpLowerDelayUs, garpLowerRepeat, garpIntervalUs, gnaIntervalUs,
                            minGarp, lowerPrioNoAdvert, higherPrioSendAdvert, downTimerAdverts, strict,
                            skipCheckAdvAddr, checkUnicastSrc, startupDelayUs, defaultInterface, dynamicInterfaces,
                            notifyPriorityChanges),
                    netNamespace, instance, keywords);
        }
    }
}
