package io.jlvs.keepalived.config;

import java.util.List;
import java.util.Map;

/**
 * {@code global_defs} (and the process-level root keywords) as parsed. Keywords jlvs reads are typed;
 * every keyword line of the block is also kept verbatim in {@link #keywords} (last occurrence wins), so
 * nothing the file says is lost for later users (VRRP, issue 8).
 *
 * @param smtpAlert        global {@code smtp_alert}, {@code null} when unset (likewise the _vrrp/_checker ones)
 * @param lvsFlushOnStop   NONE (default: remove each RS, then each VS), FULL (flush the table), VS
 */
public record GlobalDefs(String routerId, List<String> notificationEmail, String notificationEmailFrom,
                         String smtpServer, int smtpPort, String smtpHeloName, long smtpConnectTimeoutS,
                         Boolean smtpAlert, Boolean smtpAlertVrrp, Boolean smtpAlertChecker,
                         boolean checkerLogAllFailures, boolean noCheckerEmails, boolean rsInitNotifies,
                         boolean noEmailFaults, String scriptUser, String scriptGroup, boolean enableScriptSecurity,
                         Script startupScript, long startupScriptTimeoutS, Script shutdownScript,
                         long shutdownScriptTimeoutS, LvsTimeouts lvsTimeouts, boolean lvsFlush,
                         FlushOnStop lvsFlushOnStop, SyncDaemon lvsSyncDaemon, Fifo notifyFifo, Fifo lvsNotifyFifo,
                         Fifo vrrpNotifyFifo, VrrpGlobals vrrp, String netNamespace, String instance,
                         Map<String, List<String>> keywords) {
    public enum FlushOnStop { NONE, FULL, VS }

    public GlobalDefs {
        notificationEmail = List.copyOf(notificationEmail);
        keywords = Map.copyOf(keywords);
    }

    /** {@code lvs_timeouts}: seconds, 0 = not set. */
    public record LvsTimeouts(long tcpS, long tcpFinS, long udpS) {}

    /** {@code lvs_sync_daemon IF [inst VI] [id N] [maxlen N] [port N] [ttl N] [group IP]}; -1 = unset. */
    public record SyncDaemon(String interfaceName, String vrrpInstance, int syncId, int maxLen, int port, int ttl,
                             String group) {}

    /** A {@code *notify_fifo PATH [USER [GROUP]]} with its optional {@code *notify_fifo_script}. */
    public record Fifo(String path, Script script) {}

    /**
     * The VRRP globals of vrrp.md §10.4 that issue 8 needs; the rest is in {@link GlobalDefs#keywords}.
     * Times are microseconds; -1 = unset (keepalived's default applies).
     */
    public record VrrpGlobals(String mcastGroup4, String mcastGroup6, int version, long garpMasterDelayUs,
                              long garpMasterRepeat, long garpMasterRefreshS, long garpMasterRefreshRepeat,
                              long garpLowerPrioDelayUs, long garpLowerPrioRepeat, long garpIntervalUs,
                              long gnaIntervalUs, boolean minGarp, boolean lowerPrioNoAdvert,
                              boolean higherPrioSendAdvert, long downTimerAdverts, boolean strict,
                              boolean skipCheckAdvAddr, boolean checkUnicastSrc, long startupDelayUs,
                              String defaultInterface, boolean dynamicInterfaces, boolean notifyPriorityChanges) {}
}
