package dev.gatehouse.gateway.policy;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each API token was last used (presented and valid), for {@code gatehouse-admin token list}: the
 * event loops note it in memory; a thread of its own writes what changed to {@code api_tokens.last_used_at}
 * once per interval (a minute), in one statement, and once more at shutdown. The column's granularity is
 * the interval; the write fires no policy notification (the trigger ignores the column). While the
 * database is unreachable the times wait in memory, one per token, and go with the next write.
 */
public final class TokenUsage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TokenUsage.class);
    static final String UPDATE = "UPDATE api_tokens t SET last_used_at = u.at"
            + " FROM unnest(?::uuid[], ?::text[]::timestamptz[]) AS u(id, at)"
            + " WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < u.at)";

    private final Database database;
    private final Map<UUID, Long> pending = new ConcurrentHashMap<>(); // token id → epoch millis, not yet written
    private final ScheduledExecutorService writer;
    private volatile boolean failing;

    public TokenUsage(Database database, Duration interval) {
        this.database = database;
        this.writer = DaemonScheduler.named("gatehouse-token-usage");
        long millis = interval.toMillis();
        writer.scheduleWithFixedDelay(this::flush, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** On an event loop, per authenticated request: a map read, and a write at most once a second per token. */
    public void used(UUID tokenId) {
        long now = System.currentTimeMillis();
        Long noted = pending.get(tokenId);
        if (noted == null || now - noted >= 1000) {
            pending.put(tokenId, now);
        }
    }

    /** Writes the times noted since the last write; on failure keeps them for the next. */
    void flush() {
        List<UUID> ids = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (UUID id : pending.keySet()) {
            Long at = pending.remove(id);
            if (at != null) {
                ids.add(id);
                times.add(at);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            // ISO-8601 in UTC: an instant whatever the JVM's or the session's zone (a Timestamp array is sent as
            // local time without an offset)
            ps.setArray(2, c.createArrayOf("text", times.stream().map(t -> Instant.ofEpochMilli(t).toString()).toArray()));
            ps.executeUpdate();
            if (failing) {
                log.info("API token last-use times written again");
            }
            failing = false;
        } catch (SQLException e) {
            for (int i = 0; i < ids.size(); i++) {
                pending.merge(ids.get(i), times.get(i), Math::max); // a newer use may have come meanwhile
            }
            if (!failing) {
                log.warn("Cannot write API token last-use times (kept for the next try): {}", Database.sqlReason(e));
            }
            failing = true;
        }
    }

    /** Stops the timer and writes what is left. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
