package io.jlvs.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {
    private final LoginThrottle throttle = new LoginThrottle(3, 60_000);

    @Test
    void shouldAllowAttemptsWhenFewerFailuresThanTheLimit() {
        throttle.failed("10.0.0.1", "alice", 0);
        throttle.failed("10.0.0.1", "alice", 1);

        assertThat(throttle.retryAfterMs("10.0.0.1", "alice", 2)).isZero();
    }

    @Test
    void shouldRefuseAddressWhenItFailedTooOftenWithinTheWindow() {
        throttle.failed("10.0.0.1", "a", 0);
        throttle.failed("10.0.0.1", "b", 10_000);
        throttle.failed("10.0.0.1", "c", 20_000);

        assertThat(throttle.retryAfterMs("10.0.0.1", "d", 30_000)).isEqualTo(30_000);
        assertThat(throttle.retryAfterMs("10.0.0.2", "d", 30_000)).isZero();
    }

    @Test
    void shouldRefuseUserNameWhenFailuresComeFromManyAddresses() {
        throttle.failed("10.0.0.1", "alice", 0);
        throttle.failed("10.0.0.2", "alice", 0);
        throttle.failed("10.0.0.3", "alice", 0);

        assertThat(throttle.retryAfterMs("10.0.0.4", "alice", 1)).isPositive();
    }

    @Test
    void shouldAllowAgainWhenTheOldestFailureLeavesTheWindow() {
        throttle.failed("10.0.0.1", "alice", 0);
        throttle.failed("10.0.0.1", "alice", 10_000);
        throttle.failed("10.0.0.1", "alice", 20_000);

        assertThat(throttle.retryAfterMs("10.0.0.1", "alice", 59_999)).isEqualTo(1);
        assertThat(throttle.retryAfterMs("10.0.0.1", "alice", 60_000)).isZero();
    }

    @Test
    void shouldClearRecordWhenLoginSucceeds() {
        throttle.failed("10.0.0.1", "alice", 0);
        throttle.failed("10.0.0.1", "alice", 0);
        throttle.succeeded("10.0.0.1", "alice");
        throttle.failed("10.0.0.1", "alice", 0);

        assertThat(throttle.retryAfterMs("10.0.0.1", "alice", 1)).isZero();
    }
}
