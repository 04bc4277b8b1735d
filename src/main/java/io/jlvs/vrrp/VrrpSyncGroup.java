package io.jlvs.vrrp;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code vrrp_sync_group} at run time (vrrp.md §11.2, keepalived's vrrp_sync.c): when one member goes BACKUP all
 * go BACKUP; when one goes FAULT all go FAULT (masters sending one priority-0 advert); a member whose master-down
 * timer runs out becomes MASTER only when every other member wants MASTER too, and the last one to want it takes
 * them all.
 */
public final class VrrpSyncGroup {
    private final VrrpSyncGroupConfig config;
    private final VrrpNode node;
    private final VrrpHost host;
    private final List<VrrpInstance> members = new ArrayList<>();
    private volatile VrrpState state = VrrpState.INIT;

    VrrpSyncGroup(VrrpSyncGroupConfig config, VrrpNode node, VrrpHost host) {
        this.config = config;
        this.node = node;
        this.host = host;
    }

    void add(VrrpInstance member) {
        members.add(member);
        member.group = this;
    }

    public String name() {
        return config.name();
    }

    public VrrpState state() {
        return state;
    }

    public List<VrrpInstance> members() {
        return List.copyOf(members);
    }

    /** Initial group state once every member has started: FAULT if any is, else BACKUP. */
    void started(long nowUs) {
        for (VrrpInstance m : members) {
            if (m.state() == VrrpState.FAULT) {
                memberFault(m, nowUs);
                return;
            }
        }
        setState(VrrpState.BACKUP, nowUs);
    }

    boolean canGoToMaster(VrrpInstance member, long nowUs) {
        if (state == VrrpState.MASTER) {
            return true;
        }
        for (VrrpInstance other : members) {
            if (other != member && other.wantState() != VrrpState.MASTER) {
                member.restartDownTimer(nowUs); // wait for the others to be ready
                return false;
            }
        }
        return true;
    }

    boolean anyOtherSelfFault(VrrpInstance member) {
        for (VrrpInstance other : members) {
            if (other != member && other.selfFault()) {
                return true;
            }
        }
        return false;
    }

    void syncMaster(VrrpInstance trigger, long nowUs) {
        if (state == VrrpState.MASTER || !canGoToMaster(trigger, nowUs)) {
            return;
        }
        node.log("VRRP_Group(" + name() + ") Syncing instances to MASTER state");
        for (VrrpInstance other : members) {
            if (other != trigger && other.state() != VrrpState.MASTER) {
                other.gotoMaster(nowUs);
            }
        }
        setState(VrrpState.MASTER, nowUs);
    }

    void syncBackup(VrrpInstance trigger, long nowUs) {
        if (state == VrrpState.BACKUP) {
            return;
        }
        node.log("VRRP_Group(" + name() + ") Syncing instances to BACKUP state");
        for (VrrpInstance other : members) {
            if (other == trigger || other.state() == VrrpState.BACKUP) {
                continue;
            }
            if (other.state() == VrrpState.FAULT || other.state() == VrrpState.INIT) {
                other.leaveFault(nowUs);
            } else if (other.state() == VrrpState.MASTER) {
                other.leaveMaster(nowUs, VrrpState.BACKUP, false);
            }
        }
        setState(VrrpState.BACKUP, nowUs);
    }

    void memberFault(VrrpInstance trigger, long nowUs) {
        if (state == VrrpState.FAULT) {
            return;
        }
        node.log("VRRP_Group(" + name() + ") Syncing instances to FAULT state");
        for (VrrpInstance other : members) {
            if (other == trigger || other.state() == VrrpState.FAULT) {
                continue;
            }
            other.wantState(VrrpState.FAULT);
            if (other.state() == VrrpState.MASTER) {
                other.leaveMaster(nowUs, VrrpState.FAULT, false);
            } else {
                other.enterFault(nowUs, true);
            }
        }
        setState(VrrpState.FAULT, nowUs);
    }

    /** A master member heard a lower priority: every other member with garp_lower_prio_repeat announces too. */
    void lowerPriorityAnnounce(VrrpInstance trigger, long nowUs) {
        for (VrrpInstance other : members) {
            if (other != trigger) {
                other.lowerPriorityAnnounce(nowUs);
            }
        }
    }

    /** After a reload: MASTER when every member kept MASTER, else as at start. */
    void restored(long nowUs) {
        if (members.stream().allMatch(m -> m.state() == VrrpState.MASTER)) {
            state = VrrpState.MASTER;
            return;
        }
        started(nowUs);
    }

    void stop(long nowUs) {
        setState(VrrpState.STOP, nowUs);
    }

    private void setState(VrrpState to, long nowUs) {
        VrrpState from = state;
        state = to;
        List<String> script = config.notifyScripts().forState(to);
        long killAfter = to == VrrpState.STOP ? VrrpInstanceConfig.SECOND_US : 0;
        if (script != null) {
            host.runNotify(script, killAfter);
        }
        if (config.notifyScripts().generic() != null) {
            List<String> argv = new ArrayList<>(config.notifyScripts().generic());
            argv.addAll(List.of("GROUP", name(), to.name(), "0"));
            host.runNotify(argv, killAfter);
        }
        node.stateChanged(name(), true, from, to, 0);
    }
}
