package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Retention settings, table statistics and VACUUM. */
public final class Maintenance {
    /** The tables a vacuum may name (partitions of access_events included by their parent). */
    static final String TABLES = "'organisations','apps','accounts','api_tokens','network_access_policies',"
            + "'network_policy_entries','account_network_policies','global_policy_resets','sso_providers','admin_actions',"
            + "'access_events','flyway_schema_history'";

    private final DataSource ds;
    private final String actor;

    public Maintenance(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /** Sets (or with null clears) the retention of an organisation, or of one of its apps. */
    public void setRetention(String org, String app, Integer days) {
        setAuditSetting(org, app, "audit_retention_days", days, "retention set", "retention_days",
                days == null ? "none" : days);
    }

    /**
     * Sets how requests are recorded: 'full', 'aggregated' or 'off' for an organisation; for an app the
     * same, or null to follow its organisation again. The gateways pick the change up like a policy change.
     */
    public void setAuditMode(String org, String app, String mode) {
        setAuditSetting(org, app, "audit_mode", mode, "audit-mode set", "audit_mode", mode == null ? "inherit" : mode);
    }

    /** One audit column of an organisation, or of one of its apps, set and recorded in admin_actions. */
    private void setAuditSetting(String org, String app, String column, Object value, String command, String logKey,
                                 Object logged) {
        Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            if (app == null) {
                Sql.update(c, "UPDATE organisations SET " + column + " = ? WHERE id = ?", value, orgId);
            } else {
                Sql.update(c, "UPDATE apps SET " + column + " = ? WHERE id = ?", value, Lookup.app(c, orgId, org, app));
            }
            AdminLog.record(c, actor, command, org + (app == null ? "" : "/" + app), null, Map.of(logKey, logged));
            return null;
        });
    }

    /** An organisation's retention and audit mode, or an app's own (app null for the organisation). */
    public record RetentionSetting(String org, String app, Integer retentionDays, String auditMode) {
    }

    /** A line of {@code db-stats}: a table, or (with partitions) one of its partitions. */
    public sealed interface StatsRow permits TableStats, PartitionStats {
        String table();
    }

    /** A table, with the totals of its partitions and their count when it is partitioned. */
    public record TableStats(String table, long partitions, long dataBytes, long indexBytes, long totalBytes, long live,
                             long dead, Instant lastVacuum, Instant lastAutovacuum) implements StatsRow {
    }

    /** A partition, listed after its table. */
    public record PartitionStats(String table, String partitionOf, long dataBytes, long indexBytes, long totalBytes,
                                 long live, long dead, Instant lastVacuum, Instant lastAutovacuum) implements StatsRow {
    }

    private record Count(long n) {
    }

    private record RelName(String relname) {
    }

    public List<RetentionSetting> retention() {
        return Tx.run(ds, c -> Rows.list(c, RetentionSetting.class, "SELECT o.name AS org, NULL AS app, o.audit_retention_days AS retention_days,"
                + " o.audit_mode FROM organisations o UNION ALL SELECT o.name, a.name, a.audit_retention_days, a.audit_mode"
                + " FROM apps a JOIN organisations o ON o.id = a.org_id WHERE a.audit_retention_days IS NOT NULL"
                + " OR a.audit_mode IS NOT NULL ORDER BY 1, 2 NULLS FIRST"));
    }

    /**
     * Sizes, live and dead tuples, last (auto)vacuum of every Gatehouse table; a partitioned table (access_events) with
     * the totals of its partitions and their count, and — with {@code partitions} — each partition on a row of its own
     * after it ({@code partition_of} names the parent). Largest first.
     */
    public List<StatsRow> stats(boolean partitions) {
        return Tx.run(ds, c -> {
            List<TableStats> tables = Rows.list(c, TableStats.class, "WITH t AS (SELECT s.relid, s.relname, i.inhparent AS parent,"
                    + " pg_relation_size(s.relid) AS data_bytes, pg_indexes_size(s.relid) AS index_bytes,"
                    + " pg_total_relation_size(s.relid) AS total_bytes, s.n_live_tup AS live, s.n_dead_tup AS dead,"
                    + " s.last_vacuum, s.last_autovacuum FROM pg_stat_user_tables s"
                    + " LEFT JOIN pg_inherits i ON i.inhrelid = s.relid WHERE s.schemaname = current_schema())"
                    + " SELECT p.relname AS table, (SELECT count(*) FROM t c WHERE c.parent = p.relid) AS partitions,"
                    + " (p.data_bytes + coalesce(sum(c.data_bytes), 0))::bigint AS data_bytes,"
                    + " (p.index_bytes + coalesce(sum(c.index_bytes), 0))::bigint AS index_bytes,"
                    + " (p.total_bytes + coalesce(sum(c.total_bytes), 0))::bigint AS total_bytes,"
                    + " (p.live + coalesce(sum(c.live), 0))::bigint AS live, (p.dead + coalesce(sum(c.dead), 0))::bigint AS dead,"
                    + " greatest(p.last_vacuum, max(c.last_vacuum)) AS last_vacuum,"
                    + " greatest(p.last_autovacuum, max(c.last_autovacuum)) AS last_autovacuum"
                    + " FROM t p LEFT JOIN t c ON c.parent = p.relid WHERE p.parent IS NULL"
                    + " GROUP BY p.relid, p.relname, p.data_bytes, p.index_bytes, p.total_bytes, p.live, p.dead,"
                    + " p.last_vacuum, p.last_autovacuum ORDER BY 5 DESC, 1");
            if (!partitions) {
                return List.copyOf(tables);
            }
            List<StatsRow> out = new ArrayList<>();
            for (TableStats t : tables) {
                out.add(t);
                out.addAll(Rows.list(c, PartitionStats.class, "SELECT s.relname AS table, ?::text AS partition_of,"
                        + " pg_relation_size(s.relid) AS data_bytes, pg_indexes_size(s.relid) AS index_bytes,"
                        + " pg_total_relation_size(s.relid) AS total_bytes, s.n_live_tup AS live, s.n_dead_tup AS dead,"
                        + " s.last_vacuum, s.last_autovacuum FROM pg_stat_user_tables s JOIN pg_inherits i"
                        + " ON i.inhrelid = s.relid WHERE i.inhparent = ?::regclass ORDER BY s.relname",
                        t.table(), t.table()));
            }
            return out;
        });
    }

    /** Rows in access_events' default partition (outside every daily partition), counted exactly. */
    public long defaultPartitionRows() {
        return Tx.run(ds, c -> Rows.one(c, Count.class, "SELECT count(*) AS n FROM access_events_default").n());
    }

    /** What a vacuum did to one table (its partitions included): size and dead tuples before and after, and time. */
    public record VacuumResult(String table, long bytesBefore, long bytesAfter, long deadBefore, long deadAfter,
                               long millis) {
    }

    /** A vacuum's outcome: one summary per table, and the server's VERBOSE report (for --verbose). */
    public record Vacuumed(List<VacuumResult> tables, List<String> report) {
    }

    /** Runs VACUUM (VERBOSE[, FULL][, ANALYZE]) on a Gatehouse table, or all of them, one at a time. */
    public Vacuumed vacuum(String table, boolean full, boolean analyze) {
        List<String> targets = new ArrayList<>();
        Tx.run(ds, c -> {
            for (RelName r : Rows.list(c, RelName.class, "SELECT relname FROM pg_class WHERE relname IN (" + TABLES + ")"
                    + " AND relnamespace = current_schema()::regnamespace ORDER BY relname")) {
                if (table == null || table.equals(r.relname())) {
                    targets.add(r.relname());
                }
            }
            return null;
        });
        if (targets.isEmpty()) {
            throw new NotFound("no Gatehouse table named '" + table + "'");
        }
        List<String> report = new ArrayList<>();
        List<VacuumResult> results = new ArrayList<>();
        String options = "VERBOSE" + (full ? ", FULL" : "") + (analyze ? ", ANALYZE" : "");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM cannot run inside a transaction
            for (String t : targets) {
                long size = size(c, t);
                long dead = dead(c, t);
                long start = System.nanoTime();
                s.execute("VACUUM (" + options + ") " + t);
                long millis = (System.nanoTime() - start) / 1_000_000;
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    report.add(w.getMessage());
                }
                s.clearWarnings();
                results.add(new VacuumResult(t, size, size(c, t), dead, dead(c, t), millis));
            }
        } catch (SQLException e) {
            throw new GatehouseException("vacuum failed: " + Database.sqlReason(e), e);
        }
        Tx.run(ds, c -> {
            AdminLog.record(c, actor, "vacuum" + (full ? " --full" : ""), table == null ? "all tables" : table, null,
                    Map.of("tables", targets));
            return null;
        });
        return new Vacuumed(results, report);
    }

    private static long size(Connection c, String table) throws SQLException {
        return Rows.one(c, Count.class, "SELECT coalesce(sum(pg_total_relation_size(r)), 0)::bigint AS n FROM ("
                + " SELECT ?::regclass AS r UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = ?::regclass) t",
                table, table).n();
    }

    /** Dead tuples as the statistics collector saw them last (VACUUM updates them as it ends). */
    private static long dead(Connection c, String table) throws SQLException {
        return Rows.one(c, Count.class, "SELECT coalesce(sum(n_dead_tup), 0)::bigint AS n FROM pg_stat_user_tables"
                + " WHERE relid = ?::regclass OR relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = ?::regclass)",
                table, table).n();
    }
}
