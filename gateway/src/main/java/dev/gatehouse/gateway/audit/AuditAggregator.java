package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The aggregated audit mode, for clients that poll: instead of a row per request, one row per
 * (organisation, app, account, client IP, decision, window) with a count, written once the window
 * is over (a minute by default). Each gateway writes its own rows. The row's event id is derived from this process, the
 * key and a flush number, so a replay from the spool stays idempotent.
 */
final class AuditAggregator {
    /** What one aggregate row counts. */
    record Key(long minute, UUID orgId, UUID appId, UUID accountId, IpAddress clientIp, String decision, UUID policyId) {
    }

    private final ConcurrentHashMap<Key, long[]> counts = new ConcurrentHashMap<>();
    private final long windowSeconds;
    private final String instance = UUID.randomUUID().toString();
    private long flushes;

    AuditAggregator(long windowSeconds) {
        this.windowSeconds = Math.max(1, windowSeconds);
    }

    void add(AuditEvent e) {
        long minute = e.ts().getEpochSecond() / windowSeconds;
        Key k = new Key(minute, e.orgId(), e.appId(), e.accountId(), e.clientIp(), e.decision(), e.policyId());
        counts.compute(k, (key, v) -> {
            long[] c = v == null ? new long[1] : v;
            c[0]++;
            return c;
        });
    }

    /** Rows for every minute before {@code now}'s; removed from memory. */
    List<AuditEvent> drainCompleted(Instant now) {
        long current = now.getEpochSecond() / windowSeconds;
        List<AuditEvent> out = new ArrayList<>();
        long flush = ++flushes;
        for (Key k : counts.keySet()) {
            if (k.minute() >= current) {
                continue;
            }
            long[] c = counts.remove(k);
            if (c == null) {
                continue;
            }
            String name = instance + "|" + flush + "|" + k;
            out.add(new AuditEvent(Instant.ofEpochSecond(k.minute() * windowSeconds).truncatedTo(ChronoUnit.MICROS),
                    UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), k.orgId(), k.appId(), k.accountId(),
                    k.clientIp(), null, null, null, 0, k.decision(), k.policyId(), null, null, "aggregate",
                    (int) Math.min(Integer.MAX_VALUE, c[0])));
        }
        return out;
    }

    int pending() {
        return counts.size();
    }
}
