package io.jlvs.keepalived.config;

import java.util.List;

/**
 * A program keepalived runs (notify, quorum, MISC_CHECK, vrrp_script): its argv exactly as configured
 * (keepalived appends nothing to RS/VS notify scripts) and the account it runs as.
 *
 * @param argv  program and arguments after shell-like tokenising
 * @param user  account to run as; {@code null} for the default script user
 * @param group group to run as; {@code null} for the user's group
 */
public record Script(List<String> argv, String user, String group) {
    public Script {
        argv = List.copyOf(argv);
    }

    /** keepalived's {@code cmd_str}: every word single-quoted. */
    public String quoted() {
        return ShellWords.quoted(argv);
    }
}
