package dev.gatehouse.gateway.sso;

import dev.gatehouse.core.net.IpAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client IP for the sign-in pages ({@code login}, {@code callback}, the hand-over): a person signs
 * in with three or four requests; a flood from one address is answered 429 on the event loop, before it costs a
 * provider round trip, a thread or a database row, and another address's sign-in goes on.
 *
 * <p>A client is its IPv4 address, or its IPv6 /64 (one host is given a whole /64: keyed by address, it would have
 * 2^64 fresh buckets). The map is bounded: when it holds {@link #MAX_CLIENTS} keys, those whose bucket is full again
 * (idle) are dropped, and if that frees too little, a tenth of the rest — a flood from that many addresses gets some
 * fresh buckets, never a lock-out of the addresses it did not come from.
 */
final class SignInThrottle {
    static final int MAX_CLIENTS = 10_000;

    private final double capacity;
    private final double perNano;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /**
     * @param burst     requests an address may make at once
     * @param perSecond requests an address may make per second after that
     */
    SignInThrottle(int burst, double perSecond) {
        this.capacity = burst;
        this.perNano = perSecond / 1e9;
    }

    /** The throttle's key for a client address: the address, or an IPv6 address's /64. */
    static String key(IpAddress client) {
        if (client == null) {
            return "-";
        }
        return client.isV4() ? client.toString() : IpAddress.v6(client.hi(), 0) + "/64";
    }

    /** 0 when the request may go on (a token is taken); else the seconds until it may (Retry-After). */
    long take(String client, long nowNanos) {
        Bucket b = buckets.get(client);
        if (b == null) {
            if (buckets.size() >= MAX_CLIENTS) {
                buckets.values().removeIf(x -> full(x, nowNanos));
                if (buckets.size() >= MAX_CLIENTS * 9 / 10) {
                    int[] n = {0};
                    buckets.keySet().removeIf(k -> n[0]++ % 10 == 0);
                }
            }
            b = buckets.computeIfAbsent(client, c -> new Bucket(capacity, nowNanos));
        }
        synchronized (b) {
            b.tokens = Math.min(capacity, b.tokens + (nowNanos - b.at) * perNano);
            b.at = nowNanos;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
        }
    }

    private boolean full(Bucket b, long nowNanos) {
        synchronized (b) {
            return b.tokens + (nowNanos - b.at) * perNano >= capacity;
        }
    }
}
