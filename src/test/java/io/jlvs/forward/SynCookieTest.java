package io.jlvs.forward;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SynCookieTest {
    static final int CLIENT = 0xc6120002;
    static final int VIP = 0xc6120064;
    final SynCookie cookies = new SynCookie(11, 22);

    @Test
    void shouldAcceptOwnCookieAndReturnItsOptions() {
        int options = SynCookie.options(1460, true, 7);
        int cookie = cookies.make(CLIENT, 40000, VIP, 80, 1000, options, 1_000_000);

        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie, 1_000_000)).isEqualTo(options);
        assertThat(cookies.optionsOf(CLIENT, 40000, VIP, 80, cookie)).isEqualTo(options);
        assertThat(SynCookie.mss(options)).isEqualTo(1460);
        assertThat(SynCookie.sackPermitted(options)).isTrue();
        assertThat(SynCookie.windowScale(options)).isEqualTo(7);
    }

    @Test
    void shouldRejectCookieOfAnotherFlowIsnOrKey() {
        int cookie = cookies.make(CLIENT, 40000, VIP, 80, 1000, SynCookie.options(1460, false, -1), 1_000_000);

        assertThat(cookies.check(CLIENT, 40001, VIP, 80, 1000, cookie, 1_000_000)).isNegative();
        assertThat(cookies.check(CLIENT + 1, 40000, VIP, 80, 1000, cookie, 1_000_000)).isNegative();
        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1001, cookie, 1_000_000)).isNegative();
        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie + 1, 1_000_000)).isNegative();
        assertThat(new SynCookie(11, 23).check(CLIENT, 40000, VIP, 80, 1000, cookie, 1_000_000)).isNegative();
    }

    @Test
    void shouldLiveOneToTwoPeriodsOf65Seconds() {
        long period = 1L << 16;
        long start = 100 * period;
        int cookie = cookies.make(CLIENT, 40000, VIP, 80, 1000, 0, start);

        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie, start + period - 1)).isZero();
        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie, start + 2 * period - 1)).isZero();
        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie, start + 2 * period)).isNegative();
        assertThat(cookies.check(CLIENT, 40000, VIP, 80, 1000, cookie, start + 4 * period)).as("not after wrapping")
                .isNegative();
    }

    @Test
    void shouldRoundMssDownToTableAndKeepNoScale() {
        assertThat(SynCookie.mss(SynCookie.options(1459, false, -1))).isEqualTo(1452);
        assertThat(SynCookie.mss(SynCookie.options(9000, false, -1))).isEqualTo(1460);
        assertThat(SynCookie.mss(SynCookie.options(0, false, -1))).isEqualTo(536);
        assertThat(SynCookie.mss(SynCookie.options(100, false, -1))).isEqualTo(536);
        assertThat(SynCookie.windowScale(SynCookie.options(1460, false, -1))).isEqualTo(-1);
        assertThat(SynCookie.windowScale(SynCookie.options(1460, false, 14))).isEqualTo(14);
    }

    @Test
    void shouldAcceptAboutOneRandomGuessInFourMillion() {
        int cookie = cookies.make(CLIENT, 40000, VIP, 80, 1000, 0, 1_000_000);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            int guess = r.nextInt();
            if (guess != cookie && cookies.check(CLIENT, 40000, VIP, 80, 1000, guess, 1_000_000) >= 0) {
                accepted++;
            }
        }
        assertThat(accepted).isLessThanOrEqualTo(2);
    }
}
