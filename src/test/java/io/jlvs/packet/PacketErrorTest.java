package io.jlvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketErrorTest {
    @Test
    void shouldNameEveryCodeAfterItsConstantWhenAsked() throws IllegalAccessException {
        Set<Integer> codes = new HashSet<>();
        for (Field f : PacketError.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getName().equals("COUNT") || f.getName().equals("OK")) {
                continue;
            }
            int code = f.getInt(null);
            assertThat(PacketError.name(code)).as(f.getName()).isEqualTo(f.getName());
            assertThat(code).as(f.getName()).isNegative();
            codes.add(code);
        }

        assertThat(codes).hasSize(PacketError.COUNT);
    }

    @Test
    void shouldMapCodesToDenseSlotsWhenIndexing() {
        Set<Integer> slots = new HashSet<>();
        for (int code = -1; code >= -PacketError.COUNT; code--) {
            slots.add(PacketError.index(code));
        }

        assertThat(slots).hasSize(PacketError.COUNT).allMatch(i -> i >= 0 && i < PacketError.COUNT);
        assertThat(PacketError.index(PacketError.OK)).isEqualTo(-1);
        assertThat(PacketError.index(-PacketError.COUNT - 1)).isEqualTo(-1);
    }

    @Test
    void shouldNameOkAndUnknownWhenCodeIsNotAnError() {
        assertThat(PacketError.name(PacketError.OK)).isEqualTo("OK");
        assertThat(PacketError.name(-99)).isEqualTo("UNKNOWN");
        assertThat(PacketError.name(5)).isEqualTo("UNKNOWN");
    }
}
