package io.jlvs.keepalived.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * keepalived's script accounting and security checks (lib/notify.c): the default script user, and
 * {@code check_script_secure} — whether a script exists, can be executed by the account it runs as, and
 * (when run as root) whether any part of its path is writable by someone other than root.
 */
final class ScriptChecks {
    static final int SC_ISSCRIPT = 0x01;
    static final int SC_INHIBIT = 0x02;
    static final int SC_NOTFOUND = 0x04;
    static final int SC_EXECUTABLE = 0x08;
    static final int SC_INSECURE = 0x10;
    static final int SC_SYSTEM = 0x20;

    private final Accounts accounts;
    private final Reporter reporter;
    boolean scriptSecurity;
    private boolean defaultSet;
    private boolean defaultFail;
    private int[] defaultIds;
    private String defaultUser;
    private String defaultGroup;
    private final int ourUid;

    ScriptChecks(Accounts accounts, Reporter reporter, int ourUid) {
        this.accounts = accounts;
        this.reporter = reporter;
        this.ourUid = ourUid;
    }

    /** {@code set_uid_gid}: uid and gid of an account, or null when the user or group does not exist. */
    int[] ids(String user, String group) {
        int[] u = accounts.user(user);
        if (u == null) {
            reporter.log("Script user '" + user + "' does not exist");
            return null;
        }
        if (group != null) {
            var g = accounts.group(group);
            if (g.isEmpty()) {
                reporter.log("Script group '" + group + "' does not exist");
                return null;
            }
            return new int[] {u[0], g.getAsInt()};
        }
        return u;
    }

    /** {@code set_default_script_user} (global {@code script_user}); true on failure. */
    boolean setDefault(String user, String group) {
        defaultSet = true;
        int[] ids = ids(user, group);
        if (ids == null) {
            defaultFail = true;
        } else {
            defaultIds = ids;
            defaultUser = user;
            defaultGroup = group;
        }
        return defaultFail;
    }

    /** {@code get_default_script_user}: the account of a script without its own; null on failure (reported). */
    Script withDefaultUser(java.util.List<String> argv) {
        if (defaultFail) {
            return null;
        }
        if (!defaultSet) {
            defaultSet = true;
            defaultIds = new int[] {ourUid, ourUid};
            int[] ks = accounts.user("keepalived_script");
            if (ks == null) {
                reporter.log("Script user 'keepalived_script' does not exist");
                if (scriptSecurity) {
                    reporter.error(ConfigStatus.GENERAL_ERROR, "Unable to set default user keepalived_script for script");
                    defaultFail = true;
                    return null;
                }
            } else {
                defaultIds = ks;
                defaultUser = "keepalived_script";
            }
        }
        return new Script(argv, defaultUser, defaultGroup);
    }

    int uidOf(Script s) {
        if (s.user() == null) {
            return defaultIds == null ? ourUid : defaultIds[0];
        }
        int[] ids = ids(s.user(), s.group());
        return ids == null ? ourUid : ids[0];
    }

    int gidOf(Script s) {
        if (s.user() == null) {
            return defaultIds == null ? ourUid : defaultIds[1];
        }
        int[] ids = ids(s.user(), s.group());
        return ids == null ? ourUid : ids[1];
    }

    /** {@code check_script_secure}: SC_* flags for one script (messages go to the log only). */
    int secure(Script s) {
        String cmd = s.argv().getFirst();
        if (cmd.startsWith("<")) {
            String rest = cmd.substring(1).stripLeading();
            if (rest.startsWith("/")) {
                return SC_SYSTEM;
            }
        }
        Path path;
        if (cmd.indexOf('/') < 0) {
            path = findInPath(cmd);
            if (path == null) {
                reporter.log("Cannot find script " + cmd + " in path - disabling");
                return SC_NOTFOUND;
            }
        } else {
            path = Path.of(cmd);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            reporter.log("Script " + cmd + " cannot be accessed - " + e.getMessage());
            return SC_NOTFOUND;
        }
        int uid = uidOf(s);
        int gid = gidOf(s);
        int mode;
        int owner;
        int group;
        try {
            mode = (Integer) Files.getAttribute(real, "unix:mode");
            owner = (Integer) Files.getAttribute(real, "unix:uid");
            group = (Integer) Files.getAttribute(real, "unix:gid");
        } catch (IOException | RuntimeException e) {
            reporter.log("Unable to access script `" + cmd + "` - disabling");
            return SC_NOTFOUND;
        }
        int flags = SC_ISSCRIPT;
        boolean executable = (uid == 0 && (mode & 0111) != 0) || (uid == owner && (mode & 0100) != 0)
                || (uid != owner && ((gid == group && (mode & 0010) != 0) || (gid != group && (mode & 0001) != 0)));
        boolean needProtection = false;
        if (executable) {
            flags |= SC_EXECUTABLE;
            if (uid == 0 || gid == 0 || (owner == 0 && (mode & 0100) != 0 && (mode & 04000) != 0)
                    || (group == 0 && (mode & 0010) != 0 && (mode & 02000) != 0)) {
                needProtection = true;
            }
        } else {
            reporter.log("WARNING - script '" + cmd + "' is not executable for uid:gid " + uid + ":" + gid
                    + " - disabling.");
        }
        if (!needProtection) {
            return flags;
        }
        flags |= pathSecurity(path.toAbsolutePath().toString());
        if (!real.toString().equals(path.toAbsolutePath().toString())) {
            flags |= pathSecurity(real.toString());
        }
        return flags;
    }

    private int pathSecurity(String filename) {
        int flags = 0;
        int idx = 0;
        while (true) {
            int slash = filename.indexOf('/', idx);
            String part = slash < 0 ? filename : slash == 0 ? "/" : filename.substring(0, slash);
            Path p = Path.of(part);
            int mode;
            int uid;
            int gid;
            try {
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                reporter.log("check_script_secure could not find script '" + filename + "' - disabling");
                return flags | SC_NOTFOUND;
            }
            boolean dir = (mode & 0170000) == 0040000;
            boolean reg = (mode & 0170000) == 0100000;
            boolean lnk = (mode & 0170000) == 0120000;
            boolean last = slash < 0;
            if ((!last && !dir) || (last && !reg && !lnk)) {
                reporter.log("Wrong file type found in script path '" + filename + "'.");
                return flags | SC_INHIBIT;
            }
            if (uid != 0 || (((dir && (mode & 01000) == 0) || reg)
                    && ((gid != 0 && (mode & 0020) != 0) || (mode & 0002) != 0))) {
                reporter.log("Unsafe permissions found for script '" + filename + "'"
                        + (scriptSecurity ? " - disabling" : "") + ".");
                flags |= SC_INSECURE;
                return flags | (scriptSecurity ? SC_INHIBIT : 0);
            }
            if (last) {
                return flags;
            }
            idx = slash + 1;
        }
    }

    static Path findInPath(String cmd) {
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) {
            path = "/bin:/usr/bin";
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, cmd);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
