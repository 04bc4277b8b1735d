package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry state machine, result by result, against keepalived's epilogs. */
class CheckerStateTest {
    private static final long S = 1_000_000L;

    /** Records verdicts and applies them as keepalived's update_svr_checker_state would. */
    private static final class Recorder implements CheckerState.Verdicts {
        final List<Boolean> verdicts = new ArrayList<>();
        final List<Long> weights = new ArrayList<>();

        @Override
        public void verdict(CheckerState s, boolean alive) {
            verdicts.add(alive);
            s.markRun();
            s.setUp(alive);
        }

        @Override
        public void weight(CheckerState s, long contribution, boolean push) {
            weights.add(contribution);
        }
    }

    private static CheckerConfig.Timing timing(boolean alpha, long retry) {
        return new CheckerConfig.Timing(alpha, 6 * S, 6 * S, retry, 2 * S, false);
    }

    @Test
    void shouldDecideOnTheFirstResultThenNeedRetryPlusOneFailuresWhenTcp() {
        CheckerState s = new CheckerState(timing(false, 2), 1, false);
        Recorder r = new Recorder();
        assertThat(s.tcp(true, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true);
        assertThat(s.tcp(false, r)).isEqualTo(2 * S);
        assertThat(s.tcp(false, r)).isEqualTo(2 * S);
        assertThat(r.verdicts).containsExactly(true);
        assertThat(s.tcp(false, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true, false);
        assertThat(s.up()).isFalse();
        assertThat(s.tcp(true, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true, false, true);
    }

    @Test
    void shouldGoDownAtOnceWhenTheFirstResultIsAFailure() {
        CheckerState s = new CheckerState(timing(false, 3), 1, false);
        Recorder r = new Recorder();
        assertThat(s.standard(false, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(false);
    }

    @Test
    void shouldResetRetriesWhenASuccessComesBetweenFailures() {
        CheckerState s = new CheckerState(timing(false, 1), 1, false);
        Recorder r = new Recorder();
        s.standard(true, r);
        s.standard(false, r);
        s.standard(true, r);
        s.standard(false, r);
        assertThat(r.verdicts).containsExactly(true);
        s.standard(false, r);
        assertThat(r.verdicts).containsExactly(true, false);
    }

    @Test
    void shouldNotRetryWhileDownWhenUdpStyle() {
        CheckerState s = new CheckerState(timing(false, 2), 1, false);
        Recorder r = new Recorder();
        s.standard(false, r);
        assertThat(s.standard(false, r)).isEqualTo(6 * S);
        assertThat(s.standard(false, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(false);
    }

    @Test
    void shouldStartDownAndReportTheFirstFailureWhenAlpha() {
        CheckerState s = new CheckerState(timing(true, 1), 1, false);
        assertThat(s.up()).isFalse();
        Recorder r = new Recorder();
        s.tcp(false, r);
        assertThat(r.verdicts).containsExactly(false);
        s.tcp(true, r);
        assertThat(r.verdicts).containsExactly(false, true);
    }

    @Test
    void shouldCheckOneUrlPerRoundAndComeUpOnlyAfterAFullCleanPassWhenHttp() {
        CheckerState s = new CheckerState(timing(false, 1), 3, false);
        Recorder r = new Recorder();
        assertThat(s.urlIndex()).isZero();
        s.http(true, r);
        assertThat(s.urlIndex()).isEqualTo(1);
        s.http(true, r);
        s.http(true, r);
        assertThat(r.verdicts).containsExactly(true);
        assertThat(s.urlIndex()).isZero();
        // url 0 passes, url 1 fails twice (retry 1): down, remembered
        s.http(true, r);
        assertThat(s.http(false, r)).isEqualTo(2 * S);
        assertThat(s.urlIndex()).isEqualTo(1);
        assertThat(s.http(false, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true, false);
        assertThat(s.urlIndex()).isEqualTo(1);
        // the failed url passes: every url again from the first; up after a clean pass
        s.http(true, r);
        assertThat(s.urlIndex()).isZero();
        s.http(true, r);
        s.http(true, r);
        assertThat(r.verdicts).containsExactly(true, false);
        s.http(true, r);
        assertThat(r.verdicts).containsExactly(true, false, true);
    }

    @Test
    void shouldRunRoundsBackToBackWhileDownWhenFastRecovery() {
        CheckerState s = new CheckerState(timing(true, 1), 2, true);
        Recorder r = new Recorder();
        assertThat(s.http(true, r)).isZero();
        assertThat(s.http(true, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true);
    }

    @Test
    void shouldContributeStatusMinusTwoMinusWeightWhenMiscDynamic() {
        CheckerState s = new CheckerState(timing(false, 0), 1, false);
        Recorder r = new Recorder();
        s.misc(12, true, 10, r);
        assertThat(r.weights).containsExactly(0L);
        assertThat(r.verdicts).containsExactly(true);
        s.misc(255, true, 10, r);
        assertThat(r.weights).containsExactly(0L, 243L);
        s.misc(1, true, 10, r);
        assertThat(r.verdicts).containsExactly(true, false);
        assertThat(r.weights).containsExactly(0L, 243L, 0L);
    }

    @Test
    void shouldTreatTimeoutAsFailureAndRetryOnDelayBeforeRetryWhenMisc() {
        CheckerState s = new CheckerState(timing(false, 1), 1, false);
        Recorder r = new Recorder();
        s.misc(0, false, 1, r);
        assertThat(s.misc(-1, false, 1, r)).isEqualTo(2 * S);
        assertThat(s.misc(-1, false, 1, r)).isEqualTo(6 * S);
        assertThat(r.verdicts).containsExactly(true, false);
    }
}
