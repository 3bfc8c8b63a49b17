package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
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

    public List<Map<String, Object>> retention() {
        return Tx.run(ds, c -> Rows.query(c, "SELECT o.name AS org, NULL AS app, o.audit_retention_days AS retention_days,"
                + " o.audit_mode FROM organisations o UNION ALL SELECT o.name, a.name, a.audit_retention_days, a.audit_mode"
                + " FROM apps a JOIN organisations o ON o.id = a.org_id WHERE a.audit_retention_days IS NOT NULL"
                + " OR a.audit_mode IS NOT NULL ORDER BY 1, 2 NULLS FIRST"));
    }

    /** Sizes, live and dead tuples, last (auto)vacuum of every Gatehouse table and partition. */
    public List<Map<String, Object>> stats() {
        return Tx.run(ds, c -> Rows.query(c, "SELECT s.relname AS table, pg_relation_size(s.relid) AS data_bytes,"
                + " pg_indexes_size(s.relid) AS index_bytes, pg_total_relation_size(s.relid) AS total_bytes,"
                + " s.n_live_tup AS live, s.n_dead_tup AS dead, s.last_vacuum, s.last_autovacuum"
                + " FROM pg_stat_user_tables s WHERE s.schemaname = current_schema()"
                + " ORDER BY pg_total_relation_size(s.relid) DESC, s.relname"));
    }

    /** The size of a table with its partitions and indexes. */
    public long size(String table) {
        return Tx.run(ds, c -> {
            var rows = Rows.query(c, "SELECT coalesce(sum(pg_total_relation_size(r)), 0)::bigint AS size FROM ("
                    + " SELECT ?::regclass AS r UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = ?::regclass) t",
                    table, table);
            return ((Number) rows.get(0).get("size")).longValue();
        });
    }

    /** Runs VACUUM (VERBOSE[, FULL][, ANALYZE]) on a Gatehouse table, or all; returns the server's report lines. */
    public List<String> vacuum(String table, boolean full, boolean analyze) {
        List<String> targets = new ArrayList<>();
        Tx.run(ds, c -> {
            List<Map<String, Object>> known = Rows.query(c, "SELECT relname FROM pg_class WHERE relname IN (" + TABLES + ")"
                    + " AND relnamespace = current_schema()::regnamespace ORDER BY relname");
            for (Map<String, Object> r : known) {
                if (table == null || table.equals(r.get("relname"))) {
                    targets.add((String) r.get("relname"));
                }
            }
            return null;
        });
        if (targets.isEmpty()) {
            throw new NotFound("no Gatehouse table named '" + table + "'");
        }
        List<String> report = new ArrayList<>();
        String options = "VERBOSE" + (full ? ", FULL" : "") + (analyze ? ", ANALYZE" : "");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM cannot run inside a transaction
            for (String t : targets) {
                s.execute("VACUUM (" + options + ") " + t);
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    report.add(w.getMessage());
                }
                s.clearWarnings();
            }
        } catch (SQLException e) {
            throw new GatehouseException("vacuum failed: " + Database.sqlReason(e), e);
        }
        Tx.run(ds, c -> {
            AdminLog.record(c, actor, "vacuum" + (full ? " --full" : ""), table == null ? "all tables" : table, null,
                    Map.of("tables", targets));
            return null;
        });
        return report;
    }
}
