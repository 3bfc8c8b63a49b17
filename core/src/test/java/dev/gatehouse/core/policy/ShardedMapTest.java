package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ShardedMapTest {
    @Test
    void behavesAsTheMapItWasCopiedFrom() {
        Map<UUID, Integer> plain = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            plain.put(UUID.randomUUID(), i);
        }
        ShardedMap<UUID, Integer> sharded = ShardedMap.copyOf(plain);
        assertThat(sharded).isEqualTo(plain).hasSize(5_000);
        assertThat(plain).isEqualTo(sharded);
        assertThat(sharded.hashCode()).isEqualTo(plain.hashCode());
        plain.forEach((k, v) -> assertThat(sharded.get(k)).isEqualTo(v));
        assertThat(sharded.get(UUID.randomUUID())).isNull();
        assertThat(sharded.containsKey(UUID.randomUUID())).isFalse();
        assertThat(ShardedMap.copyOf(sharded)).isSameAs(sharded);
        assertThatThrownBy(() -> sharded.put(UUID.randomUUID(), 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ShardedMap.<String, String>empty()).isEmpty();
        assertThat(ShardedMap.<String, String>empty().entrySet().iterator().hasNext()).isFalse();
    }

    @Test
    void anEditCopiesOnlyTheShardsItTouches() {
        Map<UUID, Integer> plain = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            plain.put(UUID.randomUUID(), i);
        }
        ShardedMap<UUID, Integer> base = ShardedMap.copyOf(plain);
        UUID gone = plain.keySet().iterator().next();
        UUID born = UUID.randomUUID();
        ShardedMap<UUID, Integer> next = base.edit().remove(gone).put(born, -1).build();
        assertThat(next.shardsSharedWith(base)).as("at most two shards copied").isGreaterThanOrEqualTo(254);
        assertThat(next).hasSize(10_000).containsEntry(born, -1).doesNotContainKey(gone);
        assertThat(base).as("unchanged").hasSize(10_000).containsKey(gone).doesNotContainKey(born);
        assertThat(base.edit().build()).as("no change, no copy").isSameAs(base);

        ShardedMap.Editor<UUID, Integer> e = next.edit();
        e.remove(born, 7);
        assertThat(e.get(born)).as("removed only while it maps to that value").isEqualTo(-1);
        e.remove(born, -1);
        assertThat(e.get(born)).isNull();
        assertThat(e.build()).hasSize(9_999);
    }
}
