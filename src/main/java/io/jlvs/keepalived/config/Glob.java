package io.jlvs.keepalived.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * glibc's {@code glob(3)} with {@code GLOB_BRACE | GLOB_MARK} as keepalived calls it for {@code include}:
 * csh braces expanded first (each alternative matched and sorted in turn), then {@code * ? [..]} per path
 * component; directories get a trailing {@code /}. Counts what keepalived's ALTDIRFUNC hooks count: names
 * that do not exist, directories that cannot be read, and whether any wildcard had to read a directory.
 * Relative patterns are matched against {@code cwd} and the results stay relative, as written.
 */
public final class Glob {
    /** What one glob call found. */
    public record Result(List<String> paths, int missingFiles, int missingDirectories, boolean haveWildcards) {
        public boolean noMatch() {
            return paths.isEmpty();
        }
    }

    private final Path cwd;
    private int missingFiles;
    private int missingDirectories;
    private boolean haveWildcards;

    private Glob(Path cwd) {
        this.cwd = cwd;
    }

    public static Result glob(String pattern, Path cwd) {
        Glob g = new Glob(cwd);
        List<String> out = new ArrayList<>();
        for (String alt : expandBraces(pattern)) {
            List<String> found = g.match(alt, false);
            Collections.sort(found);
            out.addAll(found);
        }
        List<String> marked = new ArrayList<>(out.size());
        for (String p : out) {
            marked.add(Files.isDirectory(g.resolve(p)) && !p.endsWith("/") ? p + "/" : p);
        }
        return new Result(List.copyOf(marked), g.missingFiles, g.missingDirectories, g.haveWildcards);
    }

    /** Whether the pattern has an unescaped {@code {} (keepalived's {@code have_brace}). */
    public static boolean hasBrace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                return true;
            }
        }
        return false;
    }

    private Path resolve(String p) {
        return p.startsWith("/") ? Path.of(p) : cwd.resolve(p);
    }

    /** csh brace expansion, leftmost brace first, alternatives in written order. */
    static List<String> expandBraces(String p) {
        int open = -1;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                open = i;
                break;
            }
        }
        if (open < 0) {
            return List.of(p);
        }
        int depth = 0;
        int close = -1;
        List<Integer> commas = new ArrayList<>();
        for (int i = open; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    close = i;
                    break;
                }
            } else if (c == ',' && depth == 1) {
                commas.add(i);
            }
        }
        if (close < 0) {
            return List.of(p);
        }
        String pre = p.substring(0, open);
        String post = p.substring(close + 1);
        List<String> out = new ArrayList<>();
        int from = open + 1;
        commas.add(close);
        for (int c : commas) {
            out.addAll(expandBraces(pre + p.substring(from, c) + post));
            from = c + 1;
        }
        return out;
    }

    static boolean hasMeta(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                c = s.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Matches one brace-free pattern; {@code onlyDir} for the directory part of a longer pattern. */
    private List<String> match(String pattern, boolean onlyDir) {
        int slash = pattern.lastIndexOf('/');
        String dirPart;
        String file;
        if (slash < 0) {
            dirPart = null;
            file = pattern;
        } else {
            dirPart = slash == 0 ? "/" : pattern.substring(0, slash);
            file = pattern.substring(slash + 1);
        }
        List<String> dirs;
        if (dirPart == null) {
            dirs = List.of("");
        } else if (hasMeta(dirPart) && !dirPart.equals("/")) {
            dirs = match(dirPart, true);
            Collections.sort(dirs);
        } else {
            dirs = List.of(unescape(dirPart));
        }
        List<String> out = new ArrayList<>();
        for (String d : dirs) {
            String prefix = d.isEmpty() ? "" : d.endsWith("/") ? d : d + "/";
            if (file.isEmpty()) {
                if (Files.isDirectory(resolve(d))) {
                    out.add(d);
                }
                continue;
            }
            if (hasMeta(file)) {
                haveWildcards = true;
                Path dir = resolve(d.isEmpty() ? "." : d);
                if (!Files.isDirectory(dir)) {
                    missingDirectories++;
                    continue;
                }
                List<String> names = new ArrayList<>();
                try (Stream<Path> s = Files.list(dir)) {
                    s.forEach(e -> names.add(e.getFileName().toString()));
                } catch (IOException e) {
                    missingDirectories++;
                    continue;
                }
                for (String name : names) {
                    if (name.startsWith(".") && !file.startsWith(".")) {
                        continue;
                    }
                    if (fnmatch(file, 0, name, 0) && (!onlyDir || Files.isDirectory(dir.resolve(name)))) {
                        out.add(prefix + name);
                    }
                }
            } else {
                String name = prefix + unescape(file);
                Path f = resolve(name);
                if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                    missingFiles++;
                    continue;
                }
                if (!onlyDir || Files.isDirectory(f)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** {@code fnmatch} without flags: {@code * ? [..] [!..] [^..]} and backslash escapes. */
    static boolean fnmatch(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (fnmatch(p, pi, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    int end = classEnd(p, pi);
                    if (end < 0) {
                        if (s.charAt(si) != '[') {
                            return false;
                        }
                        pi++;
                        si++;
                    } else {
                        if (!inClass(p, pi + 1, end, s.charAt(si))) {
                            return false;
                        }
                        pi = end + 1;
                        si++;
                    }
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length()) {
                        pi++;
                        c = p.charAt(pi);
                    }
                    if (si >= s.length() || s.charAt(si) != c) {
                        return false;
                    }
                    pi++;
                    si++;
                }
            }
        }
        return si == s.length();
    }

    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        while (i < p.length() && p.charAt(i) != ']') {
            i++;
        }
        return i < p.length() ? i : -1;
    }

    private static boolean inClass(String p, int from, int end, char c) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean hit = false;
        boolean first = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (lo == ']' && !first) {
                break;
            }
            first = false;
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                char hi = p.charAt(i + 2);
                if (c >= lo && c <= hi) {
                    hit = true;
                }
                i += 3;
            } else {
                if (c == lo) {
                    hit = true;
                }
                i++;
            }
        }
        return hit != negate;
    }
}
