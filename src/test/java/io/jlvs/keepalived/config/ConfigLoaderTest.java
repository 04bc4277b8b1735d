package io.jlvs.keepalived.config;

import io.jlvs.control.ForwardMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.jlvs.keepalived.config.TestParse.lines;
import static io.jlvs.keepalived.config.TestParse.vs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per construct of keepalived.conf: the message keepalived prints, at the position it prints it,
 * and the {@code -t} exit status; and the model the checker side gets.
 */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String F = "(keepalived.conf: Line ";

    @Test
    void shouldExitZeroWithoutMessagesWhenConfigurationIsClean() {
        ConfigLoader.Result r = TestParse.test(dir, vs("    delay_loop 6", "        weight 3\n        TCP_CHECK {\n"
                + "            connect_timeout 3\n        }"));
        assertThat(lines(r)).isEmpty();
        assertThat(r.configTestExitStatus()).isZero();
        assertThat(r.usableForReload()).isTrue();
    }

    @Test
    void shouldReadBgpSpeakerBlockWhenGivenBesideVirtualServers() {
        ConfigLoader.Result r = TestParse.test(dir, """
                bgp_speaker {
                    router_id 198.18.1.11
                    local_as 65001
                    neighbor 198.18.1.1 65000
                    neighbor 2001:db8::1 as 65002
                    withdraw_delay_ms 1500
                }
                """ + vs("    delay_loop 6", "        weight 1"));
        assertThat(lines(r)).isEmpty();
        io.jlvs.bgp.BgpSettings bgp = r.config().bgp().settings();
        assertThat(bgp.routerId().getHostAddress()).isEqualTo("198.18.1.11");
        assertThat(bgp.localAs()).isEqualTo(65001);
        assertThat(bgp.peers()).extracting(p -> p.address().getHostAddress() + " " + p.as())
                .containsExactly("198.18.1.1 65000", "2001:db8:0:0:0:0:0:1 65002");
        assertThat(bgp.withdrawDelayMs()).isEqualTo(1500);
        assertThat(r.config().virtualServers()).hasSize(1);
    }

    @Test
    void shouldReportBadBgpSpeakerStatementsAtTheirLinesAndApplyNoneOfThem() {
        ConfigLoader.Result r = TestParse.test(dir, """
                bgp_speaker {
                    router_id 2001:db8::1
                    local_as 0
                    neighbor 198.18.1.1
                    withdraw_delay_ms soon
                }
                """);
        assertThat(lines(r)).containsExactly(
                "(Line 2) bgp_speaker: bgp router id: must be an IPv4 address: router_id=2001:db8::1",
                "(Line 3) bgp_speaker: bgp: local_as AS out of range 1..4294967295: as=0",
                "(Line 4) bgp_speaker: expected 'neighbor ADDR AS', found: neighbor 198.18.1.1",
                "(Line 5) bgp_speaker: withdraw_delay_ms must be a number of milliseconds: soon");
        assertThat(r.config().bgp().empty()).isTrue();
        assertThat(r.configTestExitStatus()).isNotZero();
    }

    @Test
    void shouldHaveNoBgpSettingsWithoutABgpSpeakerBlock() {
        ConfigLoader.Result r = TestParse.test(dir, vs("    delay_loop 6", "        weight 1"));
        assertThat(r.config().bgp().empty()).isTrue();
        assertThat(r.config().bgp().settings()).isNull();
    }

    @Test
    void shouldReportUnknownKeywordAtItsLineWhenInsideVirtualServer() {
        ConfigLoader.Result r = TestParse.test(dir, vs("    foo_bar 1", ""));
        assertThat(lines(r)).containsExactly(F + "5) Unknown keyword 'foo_bar'");
        assertThat(r.configTestExitStatus()).isEqualTo(5);
        assertThat(r.usableForReload()).isFalse();
    }

    @Test
    void shouldTakeTheSmtpPortAsStrtoulReadsItWhenItHasASignOrIsNoNumber() {
        ConfigLoader.Result plus = TestParse.test(dir, "global_defs {\n    smtp_server foo.example +26\n}\n");
        assertThat(lines(plus)).isEmpty();
        assertThat(plus.config().global().smtpServer()).isEqualTo("foo.example");
        assertThat(plus.config().global().smtpPort()).isEqualTo(26);
        ConfigLoader.Result bad = TestParse.test(dir, "global_defs {\n    smtp_server 127.0.0.1 25M\n}\n");
        assertThat(lines(bad)).containsExactly("(Line 2) invalid number '25M'", "(Line 2) invalid number '25M'",
                "(Line 2) Invalid smtp server 127.0.0.1 25M");
    }

    @Test
    void shouldPutFileAndLineFirstWhenFormattingADiagnosticForTheLog() {
        ConfigLoader.Result r = TestParse.test(dir, vs("    foo_bar 1", ""));
        Diagnostic d = r.diagnostics().getFirst();
        assertThat(d.withPosition()).isEqualTo(d.file() + ":5: Unknown keyword 'foo_bar'");
        assertThat(new Diagnostic("no position", ConfigStatus.GENERAL_ERROR, null, 0, false).withPosition())
                .isEqualTo("no position");
    }

    @Test
    void shouldReportUnknownRootKeywordOncePerPassWithKeepalivedsPrefixes() {
        ConfigLoader.Result r = TestParse.test(dir, "foo_root 1\n");
        assertThat(lines(r)).containsExactly("(Line 1) Unknown keyword 'foo_root'", F + "1) Unknown keyword 'foo_root'",
                F + "1) Unknown keyword 'foo_root'", F + "1) Unknown keyword 'foo_root'");
    }

    @Test
    void shouldTreatHashInsideDoubleQuotesAsDataWhenOutsideItStartsAComment() {
        assertThat(lines(TestParse.test(dir, vs("    lvs_sched \"wl#c\"", ""))))
                .containsExactly(F + "5) Invalid lvs_scheduler 'wl#c' - ignoring");
        assertThat(lines(TestParse.test(dir, vs("    lvs_sched wl#c", ""))))
                .containsExactly(F + "5) Invalid lvs_scheduler 'wl' - ignoring");
        assertThat(lines(TestParse.test(dir, vs("    lvs_sched 'wl#c'", ""))))
                .containsExactly(F + "5) Invalid lvs_scheduler ''wl' - ignoring");
    }

    @Test
    void shouldStopWithExitTwoWhenAKeywordMissesItsParameter() {
        ConfigLoader.Result r = TestParse.test(dir, vs("", "        weight"));
        assertThat(lines(r)).containsExactly(F + "7) *** Configuration line starting `weight` is missing a parameter "
                + "after keyword `weight` at word position 2");
        assertThat(r.fatal()).isTrue();
        assertThat(r.configTestExitStatus()).isEqualTo(2);
        assertThat(r.config()).isNull();
    }

    @Test
    void shouldReportUnterminatedQuoteTwiceAndStopWhenTheQuotedWordWasTheParameter() {
        ConfigLoader.Result r = TestParse.test(dir, vs("    lvs_sched \"wl", ""));
        assertThat(lines(r)).containsExactly("(Line 5) Unterminated quote 'lvs_sched \"wl'",
                "(Line 5) Unmatched quote: 'lvs_sched \"wl'", F + "5) Unterminated quote 'lvs_sched \"wl'",
                F + "5) Unmatched quote: 'lvs_sched \"wl'",
                F + "5) *** Configuration line starting `lvs_sched` is missing a parameter after keyword `lvs_sched` at word position 2");
        assertThat(r.configTestExitStatus()).isEqualTo(2);
    }

    @Test
    void shouldReportExtraAndMissingBracesInEveryPass() {
        ConfigLoader.Result extra = TestParse.test(dir, "global_defs {\n    router_id x\n}\n}\n");
        assertThat(lines(extra)).containsExactly("(Line 4) Extra '}' found", "(Line 4) Unknown keyword '}'",
                F + "4) Extra '}' found", F + "4) Unknown keyword '}'", F + "4) Extra '}' found",
                F + "4) Unknown keyword '}'", F + "4) Extra '}' found", F + "4) Unknown keyword '}'");
        ConfigLoader.Result missing = TestParse.test(dir, "global_defs {\n    router_id x\n");
        assertThat(lines(missing)).containsOnly("There are 1 missing '}'s or extra '{'s").hasSize(4);
        assertThat(missing.configTestExitStatus()).isEqualTo(5);
    }

    @Test
    void shouldReadUnknownBlockAtCurrentLevelWhoseBraceClosesTheEnclosingBlock() {
        String text = vs("", "        FOO_CHECK {\n            connect_timeout 3\n            weight 7\n        }\n"
                + "        weight abc") + "";
        ConfigLoader.Result r = TestParse.test(dir, text.replace("    }\n}\n", "    }\n    delay_loop xyz\n}\n"));
        assertThat(lines(r)).containsExactly(F + "7) Unknown keyword 'FOO_CHECK'", F + "7) Unexpected '{' - ignoring",
                F + "11) invalid number 'abc'", F + "11) Virtual server weight abc is outside range 1-2147483647",
                F + "13) Unknown keyword 'delay_loop'", F + "14) Unknown keyword '}'");
    }

    @Test
    void shouldPrintNumberErrorsWithoutWarningPrefixUnderConfigTestAndWithItOtherwise() {
        assertThat(lines(TestParse.test(dir, vs("", "        weight 5x")))).containsExactly(F + "7) invalid number '5x'",
                F + "7) Real server weight 5x is outside range 0-2147483647");
        ConfigLoader.Result run = TestParse.load(dir, vs("", "        weight 5x"), false);
        assertThat(lines(run)).containsExactly(F + "7) WARNING - invalid number '5x'");
        assertThat(run.config().virtualServers().getFirst().realServers().getFirst().weight()).isEqualTo(5);
    }

    @Test
    void shouldReportTimerRangeWithDecimalBoundsWhenDelayLoopIsZero() {
        assertThat(lines(TestParse.test(dir, vs("    delay_loop 0", "")))).containsExactly(
                F + "5) number '0' outside range [0.000001, 18446744073709.551614]",
                F + "5) virtual server delay loop '0' invalid - ignoring");
    }

    @Test
    void shouldAcceptAliasesSilentlyAtVirtualServerLevelButNotLbKindInRealServer() {
        String text = "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind DR\n"
                + "    real_server 10.0.0.2 80 {\n        lb_kind NAT\n    }\n}\n";
        ConfigLoader.Result r = TestParse.test(dir, text);
        assertThat(lines(r)).containsExactly(F + "6) Unknown keyword 'lb_kind'");
        VirtualServer v = TestParse.load(dir, text, false).config().virtualServers().getFirst();
        assertThat(v.scheduler()).isEqualTo("rr");
        assertThat(v.realServers().getFirst().forwarding().method()).isEqualTo(ForwardMethod.DROUTE);
    }

    @Test
    void shouldPrintKeepalivedsUnknownKeywordButTakeNbGetRetryAsRetryWhenInTcpCheck() {
        String text = vs("", "        TCP_CHECK {\n            connect_timeout 3\n            nb_get_retry 3\n"
                + "            delay_before_retry 3\n        }");
        ConfigLoader.Result r = TestParse.load(dir, text, false);
        assertThat(lines(r)).containsExactly(F + "9) Unknown keyword 'nb_get_retry'");
        assertThat(r.diagnostics().getFirst().accepted()).isTrue();
        assertThat(r.usableForReload()).isTrue();
        assertThat(r.logs()).anyMatch(l -> l.contains("nb_get_retry 3 taken as retry 3"));
        CheckerConfig c = r.config().virtualServers().getFirst().realServers().getFirst().checkers().getFirst();
        assertThat(c.timing().retry()).isEqualTo(3);
        assertThat(c.timing().delayBeforeRetryUs()).isEqualTo(3_000_000L);
    }

    @Test
    void shouldDeprecateNbGetRetryInHttpGet() {
        ConfigLoader.Result r = TestParse.test(dir, vs("", "        HTTP_GET {\n            url {\n"
                + "                path /\n            }\n            nb_get_retry 2\n        }"));
        assertThat(lines(r)).containsExactly(F + "11) nb_get_retry is deprecated - please use 'retry'");
        assertThat(r.configTestExitStatus()).isEqualTo(5);
    }

    @Test
    void shouldDefaultProtocolSchedulerAndMethodWithMessagesWithoutPrefix() {
        ConfigLoader.Result r = TestParse.test(dir, "virtual_server 10.0.0.1 80 {\n    real_server 10.0.0.2 80 {\n    }\n}\n");
        assertThat(lines(r)).containsExactly("Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP",
                "Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
                "Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT");
        assertThat(r.diagnostics()).allMatch(d -> d.line() == 0);
    }

    @Test
    void shouldClampQuorumAndHysteresisToTheRealServersWeight() {
        String text = "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method NAT\n"
                + "    quorum 5\n    hysteresis 7\n    real_server 10.0.0.2 80 {\n    }\n"
                + "    real_server 10.0.0.3 80 {\n    }\n}\n";
        ConfigLoader.Result r = TestParse.load(dir, text, false);
        assertThat(lines(r)).containsExactly(
                "Warning - quorum 5 for [10.0.0.1]:tcp:80 exceeds total weight of real servers 2, reducing quorum to 2",
                "Virtual server [10.0.0.1]:tcp:80: hysteresis 7 >= quorum 2; setting hysteresis to 1");
        VirtualServer v = r.config().virtualServers().getFirst();
        assertThat(v.quorum()).isEqualTo(2);
        assertThat(v.hysteresis()).isEqualTo(1);
    }

    @Test
    void shouldResetDrRealServerPortToVirtualServerPortAndKeepCheckerDestinationAsWritten() {
        String text = "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method DR\n"
                + "    real_server 10.0.0.4 81 {\n        TCP_CHECK {\n        }\n    }\n"
                + "    real_server 10.0.0.5 {\n        TCP_CHECK {\n            connect_port 8080\n        }\n    }\n}\n";
        ConfigLoader.Result r = TestParse.load(dir, text, false);
        assertThat(lines(r)).containsExactly("WARNING - virtual server [10.0.0.1]:tcp:80 and real server "
                + "[10.0.0.4]:tcp:81 ports don't match - resetting");
        List<RealServer> rs = r.config().virtualServers().getFirst().realServers();
        assertThat(rs.get(0).address().port()).isEqualTo(80);
        assertThat(((CheckerConfig.Tcp) rs.get(0).checkers().getFirst()).connection().destination().port()).isEqualTo(81);
        assertThat(rs.get(1).address().port()).isEqualTo(80);
        assertThat(((CheckerConfig.Tcp) rs.get(1).checkers().getFirst()).connection().destination().port()).isEqualTo(8080);
    }

    @Test
    void shouldResolveCheckerTimingFromCheckerRealServerVirtualServerAndTypeDefaults() {
        String text = "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method NAT\n"
                + "    delay_loop 7\n    real_server 10.0.0.2 80 {\n        connect_timeout 2\n"
                + "        HTTP_GET {\n            url {\n                path /\n            }\n        }\n"
                + "        DNS_CHECK {\n        }\n        MISC_CHECK {\n            misc_path /usr/bin/true\n        }\n"
                + "        TCP_CHECK {\n            retry 4\n            warmup 1.5\n        }\n    }\n}\n";
        List<CheckerConfig> cs = TestParse.load(dir, text, false).config().virtualServers().getFirst().realServers()
                .getFirst().checkers();
        CheckerConfig.Http http = (CheckerConfig.Http) cs.get(0);
        assertThat(http.timing()).isEqualTo(new CheckerConfig.Timing(false, 7_000_000, 7_000_000, 1, 3_000_000, false));
        assertThat(http.connection().connectTimeoutUs()).isEqualTo(2_000_000);
        assertThat(http.urls().getFirst().statusCodes()).hasSize(100).startsWith(200).endsWith(299);
        assertThat(cs.get(1).timing().retry()).isEqualTo(3);
        assertThat(cs.get(1).timing().delayBeforeRetryUs()).isEqualTo(7_000_000);
        assertThat(((CheckerConfig.Dns) cs.get(1)).queryType()).isEqualTo(6);
        assertThat(cs.get(2).timing().retry()).isZero();
        assertThat(((CheckerConfig.Misc) cs.get(2)).script().argv()).containsExactly("/usr/bin/true");
        assertThat(cs.get(3).timing()).isEqualTo(new CheckerConfig.Timing(false, 7_000_000, 1_500_000, 4, 1_000_000, false));
    }

    @Test
    void shouldSplitProgramSpecificationShellLikeWhenReadingNotifyScripts() {
        String text = vs("    quorum_down \"/usr/bin/echo web 'quorum lost'\"",
                "        notify_up \"/usr/bin/echo 'a b' c\" root");
        VirtualServer v = TestParse.load(dir, text, false).config().virtualServers().getFirst();
        assertThat(v.quorumDown().argv()).containsExactly("/usr/bin/echo", "web", "quorum lost");
        assertThat(v.realServers().getFirst().notifyUp()).isEqualTo(new Script(List.of("/usr/bin/echo", "a b", "c"), "root", null));
    }

    @Test
    void shouldExpandVirtualServerGroupEntriesAndNumberItsVirtualServers() {
        String text = "virtual_server_group G1 {\n    10.0.1.1-3 80\n    10.0.2.0/30 8080\n    fwmark 5 inet\n}\n"
                + "virtual_server group G1 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method DR\n"
                + "    real_server 10.0.0.2 80 {\n    }\n}\n";
        ConfigLoader.Result r = TestParse.load(dir, text, false);
        assertThat(lines(r)).containsExactly("WARNING - fwmark virtual server [G1]:0, real server "
                + "[10.0.0.2]:tcp:80 has port specified - port will be ignored", "virtual server [G1]:0:"
                + "[10.0.2.0-10.0.2.3,8080] and real server [10.0.0.2]:tcp:80 ports don't match");
        VirtualServerGroup g = r.config().groups().getFirst();
        assertThat(g.entries()).hasSize(3);
        assertThat(Inet.ntop(g.entries().get(0).end())).isEqualTo("10.0.1.3");
        assertThat(Inet.ntop(g.entries().get(1).end())).isEqualTo("10.0.2.3");
        assertThat(r.config().virtualServers().getFirst().display()).isEqualTo("[G1]:0");
    }

    @Test
    void shouldDropVirtualServerWithoutRealServersWithMessage() {
        ConfigLoader.Result r = TestParse.test(dir, "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n"
                + "    lvs_method NAT\n    sorry_server 10.0.0.9 80\n}\n");
        assertThat(lines(r)).containsExactly("Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring");
    }

    @Test
    void shouldDropHttpGetWithoutUrlLikeKeepalived228() {
        ConfigLoader.Result r = TestParse.load(dir, vs("", "        HTTP_GET {\n            connect_timeout 3\n        }"),
                false);
        assertThat(lines(r)).containsExactly(F + "9) HTTP/SSL_GET checker has no urls specified - ignoring");
        assertThat(r.config().virtualServers().getFirst().realServers().getFirst().checkers()).isEmpty();
    }

    @Test
    void shouldReportUrlKeywordErrorsWhenDigestOrStatusCodesAreBad() {
        ConfigLoader.Result r = TestParse.test(dir, vs("", "        HTTP_GET {\n            url {\n"
                + "                digest 1234\n            }\n            url {\n                path /\n"
                + "                status_code 200 700 300-250\n            }\n            http_protocol 2.0\n        }"));
        assertThat(lines(r)).containsExactly(F + "9) digest '1234' character length should be 32 rather than 4",
                F + "10) HTTP/SSL_GET checker url has no path - ignoring", F + "13) Invalid HTTP_GET status code '700'",
                F + "13) Invalid HTTP_GET status code '300-250'", F + "15) Invalid http_protocol version 2.0");
    }

    @Test
    void shouldSkipWholeBlockWhenVirtualServerAddressIsInvalid() {
        ConfigLoader.Result r = TestParse.test(dir, "virtual_server 10.0.0.300 80 {\n    delay_loop xyz\n"
                + "    real_server 10.0.0.2 80 {\n        weight abc\n    }\n}\n");
        assertThat(lines(r)).containsExactly(F + "1) Invalid virtual server IP address/port 10.0.0.300/80 - skipping");
    }

    @Test
    void shouldReportCheckScriptsWithoutScriptSecurityAsSecurityErrorExitSix(@TempDir Path scripts) throws Exception {
        Path ok = scripts.resolve("ok.sh");
        java.nio.file.Files.writeString(ok, "#!/bin/sh\nexit 0\n");
        java.nio.file.Files.setPosixFilePermissions(ok, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ConfigLoader.Result r = TestParse.test(dir, vs("", "        MISC_CHECK {\n            misc_path " + ok + "\n        }"));
        if (!java.nio.file.Files.getOwner(ok).getName().equals("root")) {
            return; // keepalived's check is about root-owned scripts
        }
        assertThat(lines(r)).containsExactly("SECURITY VIOLATION - check scripts are being executed but script_security "
                + "not enabled.");
        assertThat(r.configTestExitStatus()).isEqualTo(6);
    }

    @Test
    void shouldRemoveMiscCheckWhenScriptSecurityHasNoDefaultUser() {
        ConfigLoader.Result r = TestParse.test(dir, "global_defs {\n    enable_script_security\n}\n"
                + vs("", "        MISC_CHECK {\n            misc_path /bin/true\n        }"));
        assertThat(lines(r)).containsExactly(F + "12) Unable to set default user keepalived_script for script",
                F + "12) Unable to set default user for misc script '/bin/true' - removing");
    }

    @Test
    void shouldReportInterfaceWarningThenBadInterfaceWhenVrrpInstanceNamesMissingInterface() {
        ConfigLoader.Result r = TestParse.test(dir, "vrrp_instance VI_1 {\n    state MASTER\n    interface bond9\n"
                + "    virtual_router_id 51\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n");
        assertThat(lines(r)).containsExactly(F + "3) WARNING - interface bond9 for vrrp_instance VI_1 doesn't exist",
                "Non-existent interface specified in configuration");
        assertThat(r.configTestExitStatus()).isEqualTo(5);
    }

    @Test
    void shouldKeepVrrpInstanceInTheModelForIssueEight() {
        ConfigLoader.Result r = TestParse.load(dir, "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n"
                + "    virtual_router_id 51\n    priority 150\n    advert_int 1.5\n    nopreempt\n"
                + "    authentication {\n        auth_type PASS\n        auth_pass Lv5pw0rd\n    }\n"
                + "    virtual_ipaddress {\n        198.51.100.10/24 dev eth0 label eth0:web\n    }\n"
                + "    notify_master \"/bin/echo master\"\n}\n", false);
        VrrpConfig.Instance i = r.config().vrrp().instances().getFirst();
        assertThat(i.name()).isEqualTo("VI_1");
        assertThat(i.state()).isEqualTo("BACKUP");
        assertThat(i.virtualRouterId()).isEqualTo(51);
        assertThat(i.priority()).isEqualTo(150);
        assertThat(i.advertIntUs()).isEqualTo(1_500_000);
        assertThat(i.nopreempt()).isTrue();
        assertThat(i.authPass()).isEqualTo("Lv5pw0rd");
        assertThat(i.virtualIpaddress()).containsExactly(List.of("198.51.100.10/24", "dev", "eth0", "label", "eth0:web"));
        assertThat(i.notifyScripts().get("notify_master").argv()).containsExactly("/bin/echo", "master");
    }

    @Test
    void shouldCaptureGlobalDefsForTheDaemon() {
        ConfigLoader.Result r = TestParse.load(dir, "global_defs {\n    router_id lvs-a\n    notification_email {\n"
                + "        noc@example.net\n        ops@example.net\n    }\n    smtp_server 192.0.2.25 2525\n"
                + "    lvs_flush\n    lvs_flush_on_stop VS\n    lvs_timeouts tcp 900 udp 60\n}\n", false);
        GlobalDefs g = r.config().global();
        assertThat(g.routerId()).isEqualTo("lvs-a");
        assertThat(g.notificationEmail()).containsExactly("noc@example.net", "ops@example.net");
        assertThat(g.smtpServer()).isEqualTo("192.0.2.25");
        assertThat(g.smtpPort()).isEqualTo(2525);
        assertThat(g.lvsFlush()).isTrue();
        assertThat(g.lvsFlushOnStop()).isEqualTo(GlobalDefs.FlushOnStop.VS);
        assertThat(g.lvsTimeouts()).isEqualTo(new GlobalDefs.LvsTimeouts(900, 0, 60));
        assertThat(g.keywords()).containsEntry("router_id", List.of("lvs-a"));
    }

    @Test
    void shouldReportNothingAndExitZeroWhenMainFileIsMissing() {
        ConfigLoader.Result r = ConfigLoader.load(TestParse.options(dir, "nosuch.conf", true));
        assertThat(lines(r)).containsExactly("Config files missing 'nosuch.conf'.");
        assertThat(r.configTestExitStatus()).isZero();
        assertThat(r.noConfig()).isTrue();
        assertThat(r.usableForStart()).isFalse();
    }
}
