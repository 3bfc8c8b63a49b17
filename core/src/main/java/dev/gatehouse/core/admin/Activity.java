package dev.gatehouse.core.admin;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * How busy each organisation was: requests, denials and sign-ins counted per time bucket, for the operator console's
 * overview. Every count is over a bounded window and walks the (org_id, ts) indexes of {@code access_events} (only
 * the daily partitions the window covers) and {@code sso_events}, one organisation at a time: the cost is the rows in
 * the window, never the table. Aggregated rows count for their {@code event_count}.
 */
public final class Activity {
    /** Organisations counted at most, by name: the console is not the place for a fleet of thousands. */
    public static final int MAX_ORGS = 50;

    /**
     * One organisation's counts in one bucket.
     *
     * @param start the bucket's start (buckets are aligned on the Unix epoch)
     */
    public record Count(String org, Instant start, long requests, long denials, long signIns) {
    }

    private final DataSource ds;

    public Activity(DataSource ds) {
        this.ds = ds;
    }

    /**
     * The counts in {@code [from, to)}, per organisation and {@code bucket}; buckets without any event are left out.
     * Ordered by organisation, then time.
     */
    public List<Count> counts(Instant from, Instant to, Duration bucket) {
        String width = bucket.toSeconds() + " seconds";
        Timestamp f = Timestamp.from(from);
        Timestamp t = Timestamp.from(to);
        return Tx.run(ds, c -> Rows.list(c, Count.class, "WITH orgs AS (SELECT id, name FROM organisations ORDER BY name"
                + " LIMIT " + MAX_ORGS + "),"
                + " access AS (SELECT o.name AS org, a.start, a.requests, a.denials FROM orgs o CROSS JOIN LATERAL ("
                + "   SELECT date_bin(?::interval, e.ts, timestamptz 'epoch') AS start, sum(e.event_count) AS requests,"
                + "   coalesce(sum(e.event_count) FILTER (WHERE e.decision = 'deny'), 0) AS denials FROM access_events e"
                + "   WHERE e.org_id = o.id AND e.ts >= ? AND e.ts < ? GROUP BY 1) a),"
                + " signins AS (SELECT o.name AS org, s.start, s.sign_ins FROM orgs o CROSS JOIN LATERAL ("
                + "   SELECT date_bin(?::interval, e.ts, timestamptz 'epoch') AS start, count(*) AS sign_ins FROM sso_events e"
                + "   WHERE e.org_id = o.id AND e.ts >= ? AND e.ts < ? AND e.event = 'sign-in' GROUP BY 1) s)"
                + " SELECT coalesce(a.org, s.org) AS org, coalesce(a.start, s.start) AS start,"
                + " coalesce(a.requests, 0) AS requests, coalesce(a.denials, 0) AS denials, coalesce(s.sign_ins, 0) AS sign_ins"
                + " FROM access a FULL JOIN signins s ON s.org = a.org AND s.start = a.start ORDER BY 1, 2",
                width, f, t, width, f, t));
    }
}
