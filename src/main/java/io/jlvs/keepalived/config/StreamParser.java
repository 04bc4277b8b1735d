package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * keepalived's {@code process_stream}: logical lines dispatched through the keyword tree, one recursion
 * level per block. Keeps keepalived's treatment of every irregular shape: an unknown keyword's block is
 * read at the current level and its {@code }} closes the enclosing block; a block the handler refused is
 * skipped brace by brace; an inactive keyword's block is skipped silently.
 */
final class StreamParser {
    private final LineReader reader;
    private final Reporter reporter;
    private int level;
    private int skip;

    StreamParser(LineReader reader) {
        this.reader = reader;
        this.reporter = reader.reporter();
    }

    LineReader reader() {
        return reader;
    }

    Reporter reporter() {
        return reporter;
    }

    /** keepalived's {@code skip_block}: don't process the rest of the current keyword's block. */
    void skipBlock(boolean needBlockStart) {
        skip = needBlockStart ? -1 : 1;
    }

    /** Runs the whole stream against {@code roots}. */
    void run(List<Keyword> roots) {
        process(roots, false);
    }

    /** @return true when the block was skipped, so its close handler must not run */
    private boolean process(List<Keyword> table, boolean needBob) {
        boolean retErr = false;
        String line;
        while ((line = reader.readLine()) != null) {
            Words words = Words.split(line, reporter);
            if (words == null) {
                continue;
            }
            String str = words.get(0);
            if (skip == -1) {
                if (str.equals("{")) {
                    skip = 1;
                    needBob = false;
                    continue;
                }
                skip = 0;
            }
            if (skip != 0) {
                for (int i = 0; i < words.size(); i++) {
                    str = words.get(i);
                    if (str.equals("{")) {
                        skip++;
                    } else if (str.equals("}")) {
                        if (--skip == 0) {
                            break;
                        }
                    }
                }
                if (str.equals("}") && skip == 0 && level > 0) {
                    retErr = true;
                    break;
                }
                continue;
            }
            if (needBob) {
                needBob = false;
                if (str.equals("{") && level > 0) {
                    continue;
                }
                reporter.error(ConfigStatus.MISSING_BOB, "Missing '{' at beginning of configuration block");
            } else if (str.equals("{")) {
                reporter.error(ConfigStatus.UNEXPECTED_BOB, "Unexpected '{' - ignoring");
                continue;
            }
            if (str.equals("}") && level > 0) {
                break;
            }
            Keyword found = null;
            for (Keyword k : table) {
                if (k.name.equals(str)) {
                    found = k;
                    break;
                }
            }
            if (found == null) {
                reporter.error(ConfigStatus.UNKNOWN_KEYWORD, "Unknown keyword '" + str + "'");
                continue;
            }
            if (!found.active) {
                skip = words.last().equals("{") ? 1 : -1;
                if (found.handler != null) {
                    found.handler.handle(null);
                }
            }
            boolean bobNeeded = false;
            if (found.sub != null) {
                if (words.last().equals("{")) {
                    words = words.without(words.size() - 1);
                } else {
                    bobNeeded = true;
                }
            }
            if (found.active && found.handler != null) {
                found.handler.handle(words);
            }
            if (found.sub != null) {
                level++;
                boolean skipped = process(found.sub, bobNeeded);
                level--;
                if (!skipped && found.active && found.closeHandler != null) {
                    found.closeHandler.run();
                }
            }
        }
        return retErr;
    }

    /**
     * keepalived's {@code alloc_value_block}: each line of a {@code { … }} block is a data item handed to
     * {@code item}; words after the block keyword other than {@code {} are reported.
     */
    void valueBlock(Words head, Consumer<Words> item) {
        boolean needBob = true;
        boolean hadEob = false;
        Words first = null;
        if (head.size() > 1) {
            if (head.slot(1).equals("{")) {
                needBob = false;
                if (head.size() > 2) {
                    List<String> rest = new ArrayList<>(head.all().subList(2, head.size()));
                    if (rest.getLast().equals("}")) {
                        rest.removeLast();
                        hadEob = true;
                    }
                    first = new Words(rest, head.raw(), reporter);
                }
            } else {
                reporter.error(ConfigStatus.GENERAL_ERROR, "Block " + head.slot(0) + " has extra parameters "
                        + head.slot(1) + " ...");
            }
        }
        while (true) {
            Words vec;
            if (first != null) {
                vec = first;
            } else {
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                vec = Words.split(line, reporter);
                if (vec == null) {
                    continue;
                }
            }
            if (first == null) {
                if (needBob) {
                    needBob = false;
                    if (vec.get(0).equals("{")) {
                        if (vec.size() == 1) {
                            continue;
                        }
                        vec = vec.without(0);
                    } else {
                        reporter.log("'{' missing from beginning of block " + head.slot(0));
                    }
                }
                if (vec.last().equals("}")) {
                    if (vec.size() == 1) {
                        break;
                    }
                    hadEob = true;
                    vec = vec.without(vec.size() - 1);
                }
            }
            if (vec.size() > 0) {
                item.accept(vec);
            }
            first = null;
            if (hadEob) {
                break;
            }
        }
    }

    /** {@code read_value_block}: all words of a value block, or {@code null} when it has none. */
    List<String> valueBlockWords(Words head) {
        List<String> out = new ArrayList<>();
        valueBlock(head, w -> out.addAll(w.all()));
        return out.isEmpty() ? null : out;
    }
}
