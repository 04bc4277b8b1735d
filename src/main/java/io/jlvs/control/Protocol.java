package io.jlvs.control;

/** The transport protocols IPVS balances, with their IP protocol numbers and ipvsadm spellings. */
public enum Protocol {
    TCP(6, "TCP", "tcp"),
    UDP(17, "UDP", "udp"),
    SCTP(132, "SCTP", "sctp");

    private final int number;
    private final String listName;
    private final String serviceDbName;

    Protocol(int number, String listName, String serviceDbName) {
        this.number = number;
        this.listName = listName;
        this.serviceDbName = serviceDbName;
    }

    /** IP protocol number (6, 17, 132). */
    public int number() {
        return number;
    }

    /** As {@code ipvsadm -L} prints it in the Prot column ("TCP"). */
    public String listName() {
        return listName;
    }

    /** As /etc/services names it ("tcp"). */
    public String serviceDbName() {
        return serviceDbName;
    }

    public static Protocol ofNumber(int number) {
        for (Protocol p : values()) {
            if (p.number == number) {
                return p;
            }
        }
        return null;
    }
}
