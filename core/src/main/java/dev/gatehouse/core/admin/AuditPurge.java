package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Deletes old audit events. One organisation (or one of its apps): batches of DELETE by primary key,
 * each its own short transaction, so the gateway's inserts never wait long; stoppable between
 * batches and resumable (running again continues). Every organisation: whole daily partitions
 * older than the cutoff are dropped (instant, the disk returned at once), and only the partition
 * holding the cutoff (and the default partition) is deleted in batches. The gateway's automatic
 * retention uses the same code.
 */
public final class AuditPurge {
    /** Told after every batch. */
    public interface Progress {
        void batch(long deletedSoFar, long total);
    }

    /** The outcome. */
    public record Result(long deleted, long partitionsDropped, boolean stopped, Instant cutoff) {
    }

    private final DataSource ds;
    private final String actor;

    public AuditPurge(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    public static Instant cutoff(int retainDays) {
        return Instant.now().truncatedTo(ChronoUnit.MICROS).minus(retainDays, ChronoUnit.DAYS);
    }

    /** The id of the organisation's app named {@code app} (NotFound when there is none). */
    public UUID appId(String org, String app) {
        return Tx.run(ds, c -> Lookup.app(c, Lookup.org(c, org), org, app));
    }

    /** The rows a purge of this organisation (or app) would delete. */
    public long count(String org, UUID appId, Instant cutoff) {
        return Tx.run(ds, c -> {
            UUID[] scope = scope(c, org, appId);
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM access_events WHERE org_id = ?"
                    + " AND (?::uuid IS NULL OR app_id = ?::uuid) AND ts < ?")) {
                ps.setObject(1, scope[0]);
                ps.setObject(2, scope[1]);
                ps.setObject(3, scope[1]);
                ps.setTimestamp(4, Timestamp.from(cutoff));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Deletes an organisation's (or app's) events older than {@code cutoff}, batch by batch. */
    public Result purgeOrg(String org, UUID appId, Instant cutoff, int batchSize, Progress progress, BooleanSupplier stop) {
        UUID[] scope = Tx.run(ds, c -> scope(c, org, appId));
        long total = count(org, appId, cutoff);
        long deleted = deleteBatches("org_id = ? AND (?::uuid IS NULL OR app_id = ?::uuid) AND ts < ?",
                new Object[] {scope[0], scope[1], scope[1], Timestamp.from(cutoff)}, batchSize, total, progress, stop);
        boolean stopped = stop.getAsBoolean() && deleted < total;
        Tx.run(ds, c -> {
            AdminLog.record(c, actor, "purge-logs", org + (appId == null ? "" : " app " + appId), null,
                    Map.of("deleted", deleted, "cutoff", cutoff.toString(), "stopped", stopped));
            return null;
        });
        return new Result(deleted, 0, stopped, cutoff);
    }

    /**
     * Every organisation: drops the partitions whose every row is older than the cutoff — judged by each
     * partition's actual bounds, never its name (a partition made under another time zone's midnight still
     * holds rows of the next day) — and batch-deletes the rest, a partition that straddles the cutoff included.
     */
    public Result purgeAll(Instant cutoff, int batchSize, Progress progress, BooleanSupplier stop) {
        List<String> doomed = Tx.run(ds, c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM gatehouse_access_event_partitions()"
                    + " WHERE upper_bound IS NOT NULL AND upper_bound <= ? ORDER BY upper_bound")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            return names;
        });
        long dropped = 0;
        for (String p : doomed) {
            if (stop.getAsBoolean()) {
                break;
            }
            Tx.run(ds, c -> {
                try (var s = c.createStatement()) {
                    s.execute("DROP TABLE \"" + p + "\""); // a short lock on access_events: the inserts wait milliseconds
                }
                return null;
            });
            dropped++;
        }
        long deleted = deleteBatches("ts < ?", new Object[] {Timestamp.from(cutoff)}, batchSize, -1, progress, stop);
        boolean stopped = stop.getAsBoolean();
        long droppedFinal = dropped;
        Tx.run(ds, c -> {
            AdminLog.record(c, actor, "purge-logs --all-orgs", "all organisations", null,
                    Map.of("partitions_dropped", droppedFinal, "deleted", deleted, "cutoff", cutoff.toString()));
            return null;
        });
        return new Result(deleted, dropped, stopped, cutoff);
    }

    private record Retained(UUID id, int days) {
    }

    /** Sign-in events of no organisation (a callback that matched no sign-in) are kept this many days. */
    public static final int SIGN_IN_EVENTS_WITHOUT_ORG_DAYS = 7;

    /**
     * What {@link #applyRetention} deleted.
     *
     * @param signInEvents          sso_events rows of organisations with a retention
     * @param signInEventsWithoutOrg sso_events rows of no organisation, older than
     *                               {@value #SIGN_IN_EVENTS_WITHOUT_ORG_DAYS} days
     */
    public record Retention(long accessEvents, long signInEvents, long signInEventsWithoutOrg) {
        public boolean any() {
            return accessEvents > 0 || signInEvents > 0 || signInEventsWithoutOrg > 0;
        }
    }

    /**
     * Applies every configured retention once: an app with its own retention days is purged by them; the rest of an
     * organisation's events by the organisation's, and its sign-in events (sso_events) too. Sign-in events of no
     * organisation go after {@value #SIGN_IN_EVENTS_WITHOUT_ORG_DAYS} days, whatever is configured. What was deleted is
     * also in an admin_actions row (none when nothing was).
     */
    public Retention applyRetention(int batchSize, BooleanSupplier stop) {
        List<Retained> apps = Tx.run(ds, c -> Rows.list(c, Retained.class,
                "SELECT id, audit_retention_days AS days FROM apps WHERE audit_retention_days IS NOT NULL"));
        List<Retained> orgs = Tx.run(ds, c -> Rows.list(c, Retained.class,
                "SELECT id, audit_retention_days AS days FROM organisations WHERE audit_retention_days IS NOT NULL"));
        long deleted = 0;
        Progress quiet = (d, t) -> { };
        for (Retained a : apps) {
            deleted += deleteBatches("app_id = ?::uuid AND ts < ?", new Object[] {a.id(),
                    Timestamp.from(cutoff(a.days()))}, batchSize, -1, quiet, stop);
        }
        for (Retained o : orgs) {
            deleted += deleteBatches("org_id = ?::uuid AND ts < ? AND (app_id IS NULL OR app_id NOT IN"
                    + " (SELECT id FROM apps WHERE audit_retention_days IS NOT NULL))",
                    new Object[] {o.id(), Timestamp.from(cutoff(o.days()))}, batchSize, -1, quiet, stop);
        }
        long signIns = 0;
        for (Retained o : orgs) { // sign-in events follow their organisation's retention (a few a day: one statement)
            Timestamp cutoff = Timestamp.from(cutoff(o.days()));
            signIns += Tx.run(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM sso_events WHERE org_id = ?::uuid AND ts < ?")) {
                    ps.setObject(1, o.id());
                    ps.setTimestamp(2, cutoff);
                    return (long) ps.executeUpdate();
                }
            });
        }
        Timestamp orphanCutoff = Timestamp.from(cutoff(SIGN_IN_EVENTS_WITHOUT_ORG_DAYS));
        // batches: the first pass after an upgrade may meet millions, left by anonymous callbacks before version 8
        long withoutOrg = 0;
        while (!stop.getAsBoolean()) {
            long batch = Tx.run(ds, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM sso_events WHERE ctid = ANY(ARRAY("
                        + "SELECT ctid FROM sso_events WHERE org_id IS NULL AND ts < ? LIMIT ?))")) {
                    ps.setTimestamp(1, orphanCutoff);
                    ps.setInt(2, batchSize);
                    return (long) ps.executeUpdate();
                }
            });
            withoutOrg += batch;
            if (batch < batchSize) {
                break;
            }
        }
        Retention r = new Retention(deleted, signIns, withoutOrg);
        if (r.any()) {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("deleted", r.accessEvents());
            if (r.signInEvents() > 0) {
                after.put("sign_in_events_deleted", r.signInEvents());
            }
            if (r.signInEventsWithoutOrg() > 0) {
                after.put("sign_in_events_without_org_deleted", r.signInEventsWithoutOrg());
            }
            Tx.run(ds, c -> {
                AdminLog.record(c, actor, "retention (automatic)", "all organisations", null, after);
                return null;
            });
        }
        return r;
    }

    /**
     * Deletes the matching rows partition by partition, each batch one short transaction that
     * addresses its rows by ctid (the cheapest way to find a row again), oldest partition first.
     */
    private long deleteBatches(String where, Object[] args, int batchSize, long total, Progress progress, BooleanSupplier stop) {
        List<String> partitions = Tx.run(ds, c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_inherits i JOIN pg_class c"
                    + " ON c.oid = i.inhrelid WHERE i.inhparent = 'access_events'::regclass ORDER BY c.relname");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        });
        long deleted = 0;
        for (String partition : partitions) {
            String sql = "DELETE FROM " + partition + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + partition
                    + " WHERE " + where + " LIMIT ?))";
            while (!stop.getAsBoolean()) {
                int n;
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < args.length; i++) {
                        ps.setObject(i + 1, args[i]);
                    }
                    ps.setInt(args.length + 1, batchSize);
                    n = ps.executeUpdate(); // autocommit: each batch is its own short transaction
                } catch (SQLException e) {
                    if ("42P01".equals(e.getSQLState())) {
                        break; // the partition was dropped meanwhile
                    }
                    throw new GatehouseException("purge stopped after " + deleted + " rows: " + Database.sqlReason(e), e);
                }
                deleted += n;
                if (n > 0) {
                    progress.batch(deleted, total);
                }
                if (n < batchSize) {
                    break;
                }
            }
        }
        return deleted;
    }

    private static UUID[] scope(Connection c, String org, UUID appId) throws SQLException {
        UUID orgId = Lookup.org(c, org);
        if (appId != null && Lookup.one(c, "SELECT id FROM apps WHERE id = ? AND org_id = ?", appId, orgId) == null) {
            throw new NotFound("app " + appId + " is not an app of organisation '" + org + "'");
        }
        return new UUID[] {orgId, appId};
    }
}
