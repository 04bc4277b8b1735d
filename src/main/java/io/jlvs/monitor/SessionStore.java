package io.jlvs.monitor;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions, in memory (a restart logs everyone out). A session ends after {@code idleTimeoutMs}
 * without a request or {@code maxAgeMs} after login, whichever comes first. Each carries its own CSRF
 * token, which every POST must echo. Ids and tokens are 32 random bytes; time is passed in.
 */
public final class SessionStore {
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000L;
    public static final long DEFAULT_MAX_AGE_MS = 8 * 3_600_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One login. */
    public record Session(String id, String user, Role role, String csrfToken, long createdMs, long lastSeenMs) {}

    private final long idleTimeoutMs;
    private final long maxAgeMs;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public SessionStore(long idleTimeoutMs, long maxAgeMs) {
        this.idleTimeoutMs = idleTimeoutMs;
        this.maxAgeMs = maxAgeMs;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    public Session create(String user, Role role, long nowMs) {
        expire(nowMs);
        Session s = new Session(randomToken(), user, role, randomToken(), nowMs, nowMs);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session with this id, its idle clock restarted; empty when unknown or expired. */
    public Optional<Session> touch(String id, long nowMs) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, nowMs)) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.user(), s.role(), s.csrfToken(), s.createdMs(), nowMs);
        sessions.put(id, touched);
        return Optional.of(touched);
    }

    public void invalidate(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session of a user (after a password change or deletion). */
    public void invalidateUser(String user) {
        sessions.values().removeIf(s -> s.user().equals(user));
    }

    public int size() {
        return sessions.size();
    }

    private boolean expired(Session s, long nowMs) {
        return nowMs - s.lastSeenMs() >= idleTimeoutMs || nowMs - s.createdMs() >= maxAgeMs;
    }

    private void expire(long nowMs) {
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (expired(it.next(), nowMs)) {
                it.remove();
            }
        }
    }

    public static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Compares two tokens in constant time; a null never matches. */
    public static boolean tokensEqual(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
