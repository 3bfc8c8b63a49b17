package dev.gatehouse.core.policy;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map kept in 256 shards (each an immutable {@code Map.copyOf}), so that a copy with a few keys changed
 * copies only the shards they fall in and shares the rest: what lets a gateway swap in a snapshot with one
 * organisation reloaded at a cost proportional to that organisation (its shard: 1/256 of the organisations, and an
 * array of 256 references), not to every organisation there is — with 10 000 of them, a copy of the whole map per
 * change was ~0.5 MB of garbage and as many hash insertions.
 *
 * <p>Lookups cost one more array index than a plain {@code Map.copyOf}, and the shards together are as compact as
 * one (open addressing, no entry objects). Null keys and values are refused, as {@code Map.copyOf} refuses them.
 */
final class ShardedMap<K, V> extends AbstractMap<K, V> {
    private static final int SHARDS = 256;
    private static final ShardedMap<?, ?> EMPTY = new ShardedMap<>(emptyShards(), 0);

    private final Map<K, V>[] shards;
    private final int size;

    private ShardedMap(Map<K, V>[] shards, int size) {
        this.shards = shards;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V>[] emptyShards() {
        Map<K, V>[] s = new Map[SHARDS];
        Arrays.fill(s, Map.of());
        return s;
    }

    @SuppressWarnings("unchecked")
    static <K, V> ShardedMap<K, V> empty() {
        return (ShardedMap<K, V>) EMPTY;
    }

    /** {@code m} itself when it is one, else a sharded copy. */
    static <K, V> ShardedMap<K, V> copyOf(Map<K, V> m) {
        if (m instanceof ShardedMap<K, V> s) {
            return s;
        }
        Editor<K, V> e = ShardedMap.<K, V>empty().edit();
        m.forEach(e::put);
        return e.build();
    }

    private static int shard(Object key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        return (h ^ (h >>> 8)) & (SHARDS - 1);
    }

    @Override
    public V get(Object key) {
        return shards[shard(key)].get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return shards[shard(key)].containsKey(key);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new Iterator<>() {
                    private int next;
                    private Iterator<Entry<K, V>> current = shards[0].entrySet().iterator();

                    @Override
                    public boolean hasNext() {
                        while (!current.hasNext() && next < SHARDS - 1) {
                            current = shards[++next].entrySet().iterator();
                        }
                        return current.hasNext();
                    }

                    @Override
                    public Entry<K, V> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        return current.next();
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** How many shards this map shares with {@code other} (the same instance): what a copy did not copy. */
    int shardsSharedWith(ShardedMap<?, ?> other) {
        int n = 0;
        for (int i = 0; i < SHARDS; i++) {
            n += shards[i] == other.shards[i] ? 1 : 0;
        }
        return n;
    }

    /** Changes to a copy of this map; the map itself never changes. */
    Editor<K, V> edit() {
        return new Editor<>(this);
    }

    /** Puts and removes on a copy: each shard touched is copied once, at {@link #build()}. */
    static final class Editor<K, V> {
        private final ShardedMap<K, V> base;
        private final Map<Integer, Map<K, V>> touched = new HashMap<>();

        private Editor(ShardedMap<K, V> base) {
            this.base = base;
        }

        private Map<K, V> shardOf(Object key) {
            int i = shard(key);
            return touched.computeIfAbsent(i, k -> new HashMap<>(base.shards[k]));
        }

        Editor<K, V> put(K key, V value) {
            shardOf(key).put(key, value);
            return this;
        }

        Editor<K, V> remove(Object key) {
            shardOf(key).remove(key);
            return this;
        }

        /** Removes {@code key} only while it maps to {@code value}. */
        Editor<K, V> remove(Object key, Object value) {
            shardOf(key).remove(key, value);
            return this;
        }

        V get(Object key) {
            Map<K, V> t = touched.get(shard(key));
            return t != null ? t.get(key) : base.get(key);
        }

        ShardedMap<K, V> build() {
            if (touched.isEmpty()) {
                return base;
            }
            Map<K, V>[] shards = base.shards.clone();
            int size = base.size;
            for (Map.Entry<Integer, Map<K, V>> t : touched.entrySet()) {
                size += t.getValue().size() - shards[t.getKey()].size();
                shards[t.getKey()] = Map.copyOf(t.getValue());
            }
            return new ShardedMap<>(shards, size);
        }
    }
}
