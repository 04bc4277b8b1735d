package io.jlvs.forward;

import io.jlvs.stats.WorkerCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SYN flood guard's thresholds from {@code jlvs director --syn-*}: ranges, defaults, the split over workers. */
class SynGuardSettingsTest {
    static final int TABLE = 65_536;

    final WorkerCounters counters = new WorkerCounters(16);

    @AfterEach
    void tearDown() {
        counters.close();
    }

    @Test
    void shouldKeepTheCapacityDefaultsWhenNothingIsSet() {
        SynFloodGuard g = SynGuardSettings.DEFAULTS.guardFor(TABLE, 1, counters);

        assertThat(g.halfOpenLimit()).isEqualTo(TABLE / 4);
        assertThat(g.pressureThreshold()).isEqualTo(TABLE / 16);
        assertThat(g.pressureTimeoutMs()).isEqualTo(SynFloodGuard.DEFAULT_PRESSURE_TIMEOUT_MS);
    }

    @Test
    void shouldGiveTheGuardTheSetValuesWhenOneWorker() {
        SynGuardSettings s = new SynGuardSettings(1_000, 100, 500L);
        s.validate(TABLE);

        SynFloodGuard g = s.guardFor(TABLE, 1, counters);

        assertThat(g.halfOpenLimit()).isEqualTo(1_000);
        assertThat(g.pressureThreshold()).isEqualTo(100);
        assertThat(g.pressureTimeoutMs()).isEqualTo(500);
    }

    @Test
    void shouldSplitTheCountsOverWorkersRoundingUpWhenSeveral() {
        SynFloodGuard g = new SynGuardSettings(1_001, 101, null).guardFor(TABLE / 4, 4, counters);

        assertThat(g.halfOpenLimit()).isEqualTo(251);
        assertThat(g.pressureThreshold()).isEqualTo(26);
        assertThat(g.pressureTimeoutMs()).isEqualTo(SynFloodGuard.DEFAULT_PRESSURE_TIMEOUT_MS);
    }

    @Test
    void shouldKeepTheOtherDefaultWhenOnlyOneIsSet() {
        SynFloodGuard onlyThreshold = new SynGuardSettings(null, 10, null).guardFor(TABLE, 1, counters);
        SynFloodGuard onlyTimeout = new SynGuardSettings(null, null, 1_000L).guardFor(TABLE, 1, counters);

        assertThat(onlyThreshold.halfOpenLimit()).isEqualTo(TABLE / 4);
        assertThat(onlyThreshold.pressureThreshold()).isEqualTo(10);
        assertThat(onlyTimeout.halfOpenLimit()).isEqualTo(TABLE / 4);
        assertThat(onlyTimeout.pressureThreshold()).isEqualTo(TABLE / 16);
        assertThat(onlyTimeout.pressureTimeoutMs()).isEqualTo(1_000);
    }

    @Test
    void shouldCapTheDefaultThresholdAtTheCapWhenTheCapIsSetBelowIt() {
        SynGuardSettings s = new SynGuardSettings(100, null, null);
        s.validate(TABLE);

        SynFloodGuard g = s.guardFor(TABLE, 1, counters);

        assertThat(g.halfOpenLimit()).isEqualTo(100);
        assertThat(g.pressureThreshold()).isEqualTo(100);
    }

    @Test
    void shouldRefuseACapOutsideOneToTheTableSize() {
        assertThatThrownBy(() -> new SynGuardSettings(0, null, null).validate(TABLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--syn-half-open-max must be 1 to --conn-table-size (65536), not 0");
        assertThatThrownBy(() -> new SynGuardSettings(TABLE + 1, null, null).validate(TABLE))
                .hasMessageContaining("--syn-half-open-max must be 1 to --conn-table-size");
    }

    @Test
    void shouldRefuseAThresholdAboveTheCapWhenBothAreSet() {
        assertThatThrownBy(() -> new SynGuardSettings(100, 101, null).validate(TABLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--syn-pressure-threshold must be 1 to the half-open cap (--syn-half-open-max 100), not 101");
    }

    @Test
    void shouldRefuseAThresholdAboveTheDefaultCapWhenOnlyItIsSet() {
        assertThatThrownBy(() -> new SynGuardSettings(null, TABLE / 4 + 1, null).validate(TABLE))
                .hasMessage("--syn-pressure-threshold must be 1 to the half-open cap (--conn-table-size / 4 = 16384), "
                        + "not 16385");
        assertThatThrownBy(() -> new SynGuardSettings(null, 0, null).validate(TABLE))
                .hasMessageContaining("not 0");
    }

    @Test
    void shouldRefuseATimeoutOutsideOneToSixtySeconds() {
        assertThatThrownBy(() -> new SynGuardSettings(null, null, 0L).validate(TABLE))
                .hasMessage("--syn-pressure-timeout-ms must be 1 to 60000, not 0");
        assertThatThrownBy(() -> new SynGuardSettings(null, null, 60_001L).validate(TABLE))
                .hasMessage("--syn-pressure-timeout-ms must be 1 to 60000, not 60001");
    }
}
