package io.jlvs.control;

import io.jlvs.io.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Who is at the other end of a control connection, as the kernel vouches for it: {@code SO_PEERCRED}
 * (pid, effective uid and gid at {@code connect} time) and {@code SO_PEERGROUPS} (the supplementary
 * groups). Nothing here comes from what the client says about itself.
 *
 * @param pid      the peer's process id when it connected (0 when unknown)
 * @param uid      its effective user id
 * @param gid      its effective group id
 * @param groups   its supplementary group ids (may be empty)
 * @param userName the login name of {@code uid}, or the number when it has none
 */
public record PeerCredentials(int pid, int uid, int gid, int[] groups, String userName) {
    /** The director's own process: what in-process callers (tests, the fuzzer) act as. */
    public static PeerCredentials self() {
        int uid = Libc.geteuid();
        int gid;
        try {
            gid = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:gid");
        } catch (java.io.IOException | RuntimeException e) {
            gid = -1;
        }
        String name = Libc.userName(uid);
        return new PeerCredentials((int) ProcessHandle.current().pid(), uid, gid, new int[0],
                name == null ? Integer.toString(uid) : name);
    }

    /** Reads the peer of a connected Unix socket; throws when the kernel will not tell. */
    public static PeerCredentials of(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(Libc.UCRED_BYTES, 4);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, Libc.UCRED_BYTES);
            int r = Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred, len);
            if (r < 0) {
                throw new IllegalStateException("control: SO_PEERCRED failed: errno=" + -r);
            }
            int pid = ucred.get(ValueLayout.JAVA_INT, 0);
            int uid = ucred.get(ValueLayout.JAVA_INT, 4);
            int gid = ucred.get(ValueLayout.JAVA_INT, 8);
            String name = Libc.userName(uid);
            return new PeerCredentials(pid, uid, gid, groups(fd, arena), name == null ? Integer.toString(uid) : name);
        }
    }

    /** SO_PEERGROUPS (Linux 4.13+); an older kernel leaves only the primary group to go by. */
    private static int[] groups(int fd, Arena arena) {
        int capacity = 64;
        for (int attempt = 0; attempt < 3; attempt++) {
            MemorySegment buf = arena.allocate(4L * capacity, 4);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 4 * capacity);
            int r = Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_PEERGROUPS, buf, len);
            if (r == -Libc.ERANGE) {
                capacity = Math.max(capacity * 2, len.get(ValueLayout.JAVA_INT, 0) / 4 + 1);
                continue;
            }
            if (r < 0) {
                return new int[0];
            }
            int n = len.get(ValueLayout.JAVA_INT, 0) / 4;
            return buf.asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT);
        }
        return new int[0];
    }

    /** True when {@code gid} is the peer's group or one of its supplementary groups. */
    public boolean inGroup(int gidWanted) {
        if (gidWanted < 0) {
            return false;
        }
        if (gid == gidWanted) {
            return true;
        }
        for (int g : groups) {
            if (g == gidWanted) {
                return true;
            }
        }
        return false;
    }

    /** As the audit log shows it: {@code uid=1000 pid=4242 user=alice}. */
    @Override
    public String toString() {
        return "uid=" + Integer.toUnsignedString(uid) + " pid=" + pid + " user=" + userName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerCredentials p && p.pid == pid && p.uid == uid && p.gid == gid
                && Arrays.equals(p.groups, groups) && p.userName.equals(userName);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * pid + uid) + gid) + Arrays.hashCode(groups) + userName.hashCode();
    }
}
