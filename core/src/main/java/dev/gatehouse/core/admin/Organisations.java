package dev.gatehouse.core.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Organisations, apps and accounts: create and list, each change with its admin_actions row. */
public final class Organisations {
    private final DataSource ds;
    private final String actor;

    public Organisations(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    public UUID createOrg(String name, boolean requireSso, Integer retentionDays) {
        return Tx.run(ds, c -> {
            UUID id = (UUID) Sql.insertReturning(c, "organisation '" + name + "'",
                    "INSERT INTO organisations (name, require_sso, audit_retention_days) VALUES (?, ?, ?) RETURNING id",
                    name, requireSso, retentionDays);
            AdminLog.record(c, actor, "org create", name, null, Map.of("id", id.toString(), "require_sso", requireSso));
            return id;
        });
    }

    public List<Map<String, Object>> listOrgs() {
        return Tx.run(ds, c -> Rows.query(c, "SELECT o.name, o.id, o.require_sso, o.audit_retention_days AS retention_days,"
                + " o.audit_mode, (SELECT count(*) FROM apps WHERE org_id = o.id) AS apps,"
                + " (SELECT count(*) FROM accounts WHERE org_id = o.id) AS accounts,"
                + " (SELECT count(*) FROM network_access_policies WHERE org_id = o.id) AS policies, o.created_at"
                + " FROM organisations o ORDER BY o.name"));
    }

    public Map<String, Object> showOrg(String name) {
        return Tx.run(ds, c -> {
            UUID id = Lookup.org(c, name);
            Map<String, Object> m = new LinkedHashMap<>(Rows.query(c, "SELECT name, id, require_sso, audit_retention_days"
                    + " AS retention_days, audit_mode, created_at FROM organisations WHERE id = ?", id).get(0));
            m.put("apps", Rows.query(c, "SELECT name, id FROM apps WHERE org_id = ? ORDER BY name", id));
            m.put("accounts", Rows.query(c, "SELECT name, kind, role, email, id FROM accounts WHERE org_id = ? ORDER BY name", id));
            m.put("policies", Rows.query(c, "SELECT name, is_global, id FROM network_access_policies WHERE org_id = ?"
                    + " ORDER BY name", id));
            m.put("sso_providers", Rows.query(c, "SELECT name, provider_type AS type, enabled FROM sso_providers"
                    + " WHERE org_id = ? ORDER BY provider_type", id));
            return m;
        });
    }

    public UUID createApp(String org, String name) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = (UUID) Sql.insertReturning(c, "app '" + name + "' in organisation '" + org + "'",
                    "INSERT INTO apps (org_id, name) VALUES (?, ?) RETURNING id", orgId, name);
            AdminLog.record(c, actor, "app create", org + "/" + name, null, Map.of("id", id.toString()));
            return id;
        });
    }

    public List<Map<String, Object>> listApps(String org) {
        return Tx.run(ds, c -> Rows.query(c, "SELECT name, id, audit_retention_days AS retention_days, audit_mode, created_at"
                + " FROM apps WHERE org_id = ? ORDER BY name", Lookup.org(c, org)));
    }

    public UUID createAccount(String org, String name, String kind, String role, String email) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = (UUID) Sql.insertReturning(c, "account '" + name + "' in organisation '" + org + "'",
                    "INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    orgId, name, kind, role, email);
            AdminLog.record(c, actor, "account create", org + "/" + name, null,
                    Map.of("id", id.toString(), "kind", kind, "role", role));
            return id;
        });
    }

    public List<Map<String, Object>> listAccounts(String org) {
        return Tx.run(ds, c -> Rows.query(c, "SELECT a.name, a.kind, a.role, a.email, a.id,"
                + " (SELECT count(*) FROM account_network_policies p WHERE p.account_id = a.id) AS policies, a.created_at"
                + " FROM accounts a WHERE a.org_id = ? ORDER BY a.name", Lookup.org(c, org)));
    }
}
