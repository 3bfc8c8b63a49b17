package dev.gatehouse.core.admin;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * The gateways' heartbeats (V10, {@code gateway_heartbeats}): each running gateway upserts its own row every few
 * seconds, and the operator console lists those seen recently. Rows not seen for a day are deleted by any beat.
 */
public final class Heartbeats {
    /** Rows older than this go at the next beat of any replica. */
    static final Duration FORGET_AFTER = Duration.ofDays(1);

    /**
     * A gateway as it last said it was.
     *
     * @param listening the public listener's URL
     */
    public record Replica(String instanceId, String hostName, String version, String listening, Instant startedAt,
                          Instant seenAt) {
    }

    private final DataSource ds;

    public Heartbeats(DataSource ds) {
        this.ds = ds;
    }

    /** This gateway is alive now (one short transaction: the upsert, and the forgetting of long-gone replicas). */
    public void beat(String instanceId, String hostName, String version, String listening, Instant startedAt) {
        Tx.run(ds, c -> {
            Sql.update(c, "INSERT INTO gateway_heartbeats (instance_id, host_name, version, listening, started_at)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO UPDATE SET seen_at = now(),"
                    + " listening = EXCLUDED.listening", instanceId, hostName, version, listening, Timestamp.from(startedAt));
            Sql.update(c, "DELETE FROM gateway_heartbeats WHERE seen_at < now() - ?::interval",
                    FORGET_AFTER.toSeconds() + " seconds");
            return null;
        });
    }

    /** The gateways seen within {@code window}, the most recently seen first (at most {@code limit}). */
    public List<Replica> seenWithin(Duration window, int limit) {
        return Tx.run(ds, c -> Rows.list(c, Replica.class, "SELECT instance_id, host_name, version, listening, started_at,"
                + " seen_at FROM gateway_heartbeats WHERE seen_at >= now() - ?::interval ORDER BY seen_at DESC LIMIT ?",
                window.toSeconds() + " seconds", limit));
    }
}
