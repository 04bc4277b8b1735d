package io.jlvs.ipvsadm;

/**
 * ipvsadm's commands with their message names and their row of the command/option matrix: one
 * character per {@link Opt} in order; '+' required, 'x' forbidden, '1' at most one of the '1's,
 * ' ' optional.
 */
enum Cmd {
    ADD("add-service", "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx"),
    EDIT("edit-service", "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx"),
    DEL("delete-service", "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    FLUSH("flush", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    LIST("list", " 11xxxxxxxxx11       xxxxxxx xxxxx"),
    ADD_DEST("add-server", "xx+xxx+    xxxxxxxxxxxxxxxxxx     "),
    DEL_DEST("delete-server", "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    EDIT_DEST("edit-server", "xx+xxx+    xxxxxxxxxxxxxxxxxx     "),
    SET_TIMEOUT("set", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    START_DAEMON("start-daemon", "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx"),
    STOP_DAEMON("stop-daemon", "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx"),
    RESTORE("restore", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    SAVE("save", " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ZERO("zero", "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

    private final String messageName;
    private final String row;

    Cmd(String messageName, String row) {
        if (row.length() != Opt.values().length) {
            throw new IllegalStateException("matrix row of " + messageName);
        }
        this.messageName = messageName;
        this.row = row;
    }

    String messageName() {
        return messageName;
    }

    char rule(Opt opt) {
        return row.charAt(opt.ordinal());
    }
}
