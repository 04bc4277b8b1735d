package io.jlvs.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionStoreTest {
    private final SessionStore store = new SessionStore(1000, 10_000);

    @Test
    void shouldKeepSessionWhenRequestsComeWithinIdleTimeout() {
        SessionStore.Session s = store.create("alice", Role.VIEWER, 0);

        assertThat(store.touch(s.id(), 900)).isPresent();
        assertThat(store.touch(s.id(), 1800)).isPresent();
        assertThat(store.touch(s.id(), 2700)).get().extracting(SessionStore.Session::user).isEqualTo("alice");
    }

    @Test
    void shouldEndSessionWhenIdleTooLong() {
        SessionStore.Session s = store.create("alice", Role.VIEWER, 0);

        assertThat(store.touch(s.id(), 1000)).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void shouldEndSessionWhenMaxAgeIsReachedDespiteActivity() {
        SessionStore.Session s = store.create("alice", Role.VIEWER, 0);
        for (long t = 500; t < 10_000; t += 500) {
            assertThat(store.touch(s.id(), t)).isPresent();
        }

        assertThat(store.touch(s.id(), 10_000)).isEmpty();
    }

    @Test
    void shouldForgetSessionWhenInvalidatedOrUnknown() {
        SessionStore.Session a = store.create("alice", Role.VIEWER, 0);
        SessionStore.Session b = store.create("bob", Role.OPERATOR, 0);

        store.invalidate(a.id());
        store.invalidateUser("bob");

        assertThat(store.touch(a.id(), 1)).isEmpty();
        assertThat(store.touch(b.id(), 1)).isEmpty();
        assertThat(store.touch("made-up", 1)).isEmpty();
        assertThat(store.touch(null, 1)).isEmpty();
    }

    @Test
    void shouldGiveEachSessionItsOwnRandomIdAndCsrfToken() {
        SessionStore.Session a = store.create("alice", Role.VIEWER, 0);
        SessionStore.Session b = store.create("alice", Role.VIEWER, 0);

        assertThat(a.id()).hasSize(43).isNotEqualTo(b.id());
        assertThat(a.csrfToken()).isNotEqualTo(b.csrfToken()).isNotEqualTo(a.id());
    }

    @Test
    void shouldCompareTokensWhenEqualOnly() {
        assertThat(SessionStore.tokensEqual("abc", "abc")).isTrue();
        assertThat(SessionStore.tokensEqual("abc", "abd")).isFalse();
        assertThat(SessionStore.tokensEqual("abc", null)).isFalse();
        assertThat(SessionStore.tokensEqual(null, null)).isFalse();
    }
}
