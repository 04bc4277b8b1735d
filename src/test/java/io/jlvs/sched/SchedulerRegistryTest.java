package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchedulerRegistryTest {
    @Test
    void shouldListNamesInRegistryOrderWhenAsked() {
        assertThat(SchedulerRegistry.names()).containsExactly(
                "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");
    }

    @Test
    void shouldReturnSchedulerWithThatNameWhenNameIsKnown() {
        for (String name : SchedulerRegistry.names()) {
            assertThat(SchedulerRegistry.byName(name).name()).isEqualTo(name);
            assertThat(SchedulerRegistry.exists(name)).isTrue();
        }
        assertThat(SchedulerRegistry.byName("wlc")).isInstanceOf(WeightedLeastConnectionScheduler.class);
        assertThat(SchedulerRegistry.byName("lblcr")).isInstanceOf(LocalityBasedLeastConnectionReplicationScheduler.class);
        assertThat(SchedulerRegistry.byName("twos")).isInstanceOf(WeightedPowerOfTwoScheduler.class);
    }

    @Test
    void shouldReturnNullWhenNameIsUnknownOrNull() {
        assertThat(SchedulerRegistry.byName("nosuch")).isNull();
        assertThat(SchedulerRegistry.byName("RR")).isNull();
        assertThat(SchedulerRegistry.byName("")).isNull();
        assertThat(SchedulerRegistry.byName(null)).isNull();
        assertThat(SchedulerRegistry.exists("RR")).isFalse();
        assertThat(SchedulerRegistry.exists(null)).isFalse();
    }

    @Test
    void shouldDefaultToWlcWhenNoSchedulerIsGiven() {
        assertThat(SchedulerRegistry.DEFAULT).isEqualTo("wlc");
        assertThat(SchedulerRegistry.exists(SchedulerRegistry.DEFAULT)).isTrue();
    }

    @Test
    void shouldRejectChangesWhenNamesListIsModified() {
        assertThatThrownBy(() -> SchedulerRegistry.names().add("lc")).isInstanceOf(UnsupportedOperationException.class);
    }
}
