package io.jlvs.monitor;

import java.util.Locale;

/** What a monitor user may do: look ({@link #VIEWER}) or also change weights and quiesce ({@link #OPERATOR}). */
public enum Role {
    VIEWER,
    OPERATOR;

    /** As the users file and the command line spell it ("viewer"). */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String word) {
        for (Role r : values()) {
            if (r.word().equals(word)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role: role=" + word + " (viewer or operator)");
    }
}
