package io.jlvs.control;

import java.util.Set;

/**
 * Who may use the director's control socket, decided on the peer's kernel-vouched credentials
 * ({@link PeerCredentials}), never on anything the client sends.
 *
 * <p>Kernel IPVS asks for CAP_NET_ADMIN on every command, listing included (ipvsadm spec §1: a non-root
 * {@code ipvsadm -L} already fails at initialisation with "Permission denied (you must be root)"). jlvs
 * keeps that policy: every op needs a privileged peer, read-only ones too, so a refused peer learns
 * nothing about the table. Privileged is
 * <ul>
 *   <li>effective uid 0;</li>
 *   <li>the director's own effective uid (a process of that user could attach to the director anyway);</li>
 *   <li>a member (primary or supplementary group) of the group named with {@code jlvs director --control-group}.</li>
 * </ul>
 * Capabilities are not consulted: a non-root process holding CAP_NET_ADMIN is refused, unlike with
 * the kernel; give such a user the control group instead.
 */
public final class ControlAccess {
    /** The ops that change the director's state; each accepted one is logged with its author. */
    public static final Set<String> CHANGING_OPS = Set.of("addService", "editService", "deleteService", "flush",
            "addDest", "editDest", "deleteDest", "zero", "setTimeouts", "startDaemon", "stopDaemon",
            "addMark", "deleteMark");

    private final int directorUid;
    private final int controlGid;
    private final String controlGroup;

    /**
     * @param directorUid  the director's effective uid
     * @param controlGid   the gid of the control group, or -1 for none
     * @param controlGroup its name as the operator gave it (for messages), or null
     */
    public ControlAccess(int directorUid, int controlGid, String controlGroup) {
        this.directorUid = directorUid;
        this.controlGid = controlGid;
        this.controlGroup = controlGroup;
    }

    /** Root and the director's own user only. */
    public static ControlAccess rootOnly(int directorUid) {
        return new ControlAccess(directorUid, -1, null);
    }

    /** True when {@code peer} may run any op on the control socket. */
    public boolean permits(PeerCredentials peer) {
        return peer.uid() == 0 || peer.uid() == directorUid || peer.inGroup(controlGid);
    }

    /** True for the ops that change state (and so are logged); false for listings and status. */
    public static boolean changesState(String op) {
        return op != null && CHANGING_OPS.contains(op);
    }

    /** The control group's gid, or -1 for none. */
    public int controlGid() {
        return controlGid;
    }

    /** For the start-up log: {@code root or group jlvsadm (gid 1001)}. */
    public String describe() {
        String self = directorUid == 0 ? "root" : "root or uid " + Integer.toUnsignedString(directorUid);
        return controlGid < 0 ? self : self + " or group " + controlGroup + " (gid " + controlGid + ")";
    }
}
