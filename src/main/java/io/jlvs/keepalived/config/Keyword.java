package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of keepalived's keyword tree: a name, its handler, whether it is active in this pass, its
 * sub-level keywords and the handler run when its block closes.
 */
final class Keyword {
    /** What a keyword does with its line; {@code words} is null when the keyword is inactive in this pass. */
    @FunctionalInterface
    interface Handler {
        void handle(Words words);
    }

    final String name;
    final Handler handler;
    final boolean active;
    List<Keyword> sub;
    Runnable closeHandler;

    Keyword(String name, Handler handler, boolean active) {
        this.name = name;
        this.handler = handler;
        this.active = active;
    }

    /** Builds a tree the way keepalived's {@code install_keyword*} calls do. */
    static final class Table {
        final List<Keyword> roots = new ArrayList<>();
        private int sublevel;

        void root(String name, Handler h, boolean active) {
            roots.add(new Keyword(name, h, active));
        }

        void rootEnd(Runnable h) {
            Keyword k = roots.getLast();
            if (k.active) {
                k.closeHandler = h;
            }
        }

        void kw(String name, Handler h) {
            Keyword k = roots.getLast();
            if (!k.active) {
                return;
            }
            for (int i = 0; i < sublevel; i++) {
                k = k.sub.getLast();
            }
            if (k.sub == null) {
                k.sub = new ArrayList<>();
            }
            k.sub.add(new Keyword(name, h, true));
        }

        void sub() {
            sublevel++;
        }

        void subEnd() {
            sublevel--;
        }

        void subEndHandler(Runnable h) {
            Keyword k = roots.getLast();
            if (!k.active) {
                return;
            }
            for (int i = 0; i < sublevel; i++) {
                k = k.sub.getLast();
            }
            k.closeHandler = h;
        }
    }
}
