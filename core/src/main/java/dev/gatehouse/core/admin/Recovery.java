package dev.gatehouse.core.admin;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The two lockout recoveries: turning global network policies off (and back on exactly as they
 * were), and turning SSO enforcement off when the identity provider breaks. Each runs in one
 * transaction with its admin_actions row; gateways see the change through NOTIFY.
 */
public final class Recovery {
    private final DataSource ds;
    private final String actor;

    public Recovery(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /** The global policies that a reset would turn off (org name, policy name, id). */
    public List<Map<String, Object>> globalPolicies(String orgName) {
        return Tx.run(ds, c -> {
            UUID org = orgName == null ? null : Lookup.org(c, orgName);
            return Rows.query(c, "SELECT o.name AS org, p.name AS policy, p.id AS policy_id FROM network_access_policies p"
                    + " JOIN organisations o ON o.id = p.org_id WHERE p.is_global AND (?::uuid IS NULL OR p.org_id = ?::uuid)"
                    + " ORDER BY o.name, p.name", org, org);
        });
    }

    /**
     * Sets is_global = false on every global policy (of one organisation, or all); returns what changed. Guarded like
     * any policy change ({@link LockoutGuard}): taking a global allow policy away can deny an admin whose address only
     * it allowed — refused unless {@code force}.
     */
    public List<Map<String, Object>> resetGlobalPolicies(String orgName, boolean force) {
        return Tx.run(ds, c -> {
            UUID org = orgName == null ? null : Lookup.org(c, orgName);
            List<UUID> touched = new ArrayList<>();
            for (Map<String, Object> r : Rows.query(c, "SELECT DISTINCT org_id FROM network_access_policies"
                    + " WHERE is_global AND (?::uuid IS NULL OR org_id = ?::uuid)", org, org)) {
                touched.add(UUID.fromString((String) r.get("org_id")));
            }
            LockoutGuard guard = LockoutGuard.before(c, touched, force); // every organisation: one snapshot, not one each
            List<Map<String, Object>> changed = Rows.query(c, "UPDATE network_access_policies p SET is_global = false,"
                    + " updated_at = now(), updated_by = ? FROM organisations o WHERE o.id = p.org_id AND p.is_global"
                    + " AND (?::uuid IS NULL OR p.org_id = ?::uuid) RETURNING o.name AS org, p.name AS policy, p.id AS policy_id",
                    actor, org, org);
            List<UUID> ids = new ArrayList<>();
            changed.forEach(r -> ids.add(UUID.fromString((String) r.get("policy_id"))));
            if (ids.isEmpty()) {
                return changed; // nothing was global: nothing to record or restore
            }
            guard.check(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO global_policy_resets (org_id, policy_ids, reset_by) VALUES (?, ?, ?)")) {
                ps.setObject(1, org);
                ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
                ps.setString(3, actor);
                ps.executeUpdate();
            }
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("is_global", false);
            after.put("policy_ids", ids.stream().map(UUID::toString).toList());
            AdminLog.record(c, actor, "reset-global-policies", orgName == null ? "all organisations" : orgName,
                    Map.of("is_global", true), after);
            return changed;
        });
    }

    /**
     * What a restore of {@code orgName} would do: the policies it turns back on, and those of the reset it leaves as
     * they are, each with why (changed since the reset, already global, deleted).
     */
    public record RestorePlan(long resetId, Instant resetAt, List<Map<String, Object>> restore,
                              List<Map<String, Object>> skipped) {
    }

    /** The plan of a restore, changing nothing. */
    public RestorePlan planRestore(String orgName) {
        return Tx.run(ds, c -> plan(c, Lookup.org(c, orgName), orgName));
    }

    private RestorePlan plan(Connection c, UUID org, String orgName) throws SQLException {
        Long resetId = null;
        UUID[] ids = new UUID[0];
        Instant resetAt = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT id, policy_ids, reset_at FROM global_policy_resets"
                + " WHERE restored_at IS NULL AND (org_id = ? OR org_id IS NULL) AND NOT (?::uuid = ANY (restored_orgs))"
                + " AND EXISTS (SELECT 1 FROM network_access_policies p WHERE p.id = ANY (policy_ids) AND p.org_id = ?)"
                + " ORDER BY reset_at DESC, id DESC LIMIT 1")) {
            ps.setObject(1, org);
            ps.setObject(2, org);
            ps.setObject(3, org);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    resetId = rs.getLong(1);
                    ids = (UUID[]) rs.getArray(2).getArray();
                    resetAt = rs.getTimestamp(3).toInstant();
                }
            }
        }
        if (resetId == null) {
            throw new NotFound("no reset of global policies to restore for organisation '" + orgName
                    + "' (none, or its part was restored already)");
        }
        List<Map<String, Object>> restore = new ArrayList<>();
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (Map<String, Object> p : Rows.query(c, "SELECT o.name AS org, p.name AS policy, p.id AS policy_id,"
                + " p.is_global, p.updated_at > r.reset_at AS changed, p.updated_by, p.updated_at"
                + " FROM network_access_policies p JOIN organisations o ON o.id = p.org_id"
                + " JOIN global_policy_resets r ON r.id = ? WHERE p.org_id = ? AND p.id = ANY (r.policy_ids)"
                + " ORDER BY p.name", resetId, org)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("org", p.get("org"));
            row.put("policy", p.get("policy"));
            row.put("policy_id", p.get("policy_id"));
            if (Boolean.TRUE.equals(p.get("is_global"))) {
                row.put("why", "already global");
                skipped.add(row);
            } else if (Boolean.TRUE.equals(p.get("changed"))) {
                row.put("why", "changed since the reset (by " + p.get("updated_by") + " at " + p.get("updated_at")
                        + "): left as it is");
                skipped.add(row);
            } else {
                restore.add(row);
            }
        }
        return new RestorePlan(resetId, resetAt, restore, skipped);
    }

    /**
     * Turns back on the policies of {@code orgName} that the last reset covering it turned off and that nobody has
     * changed since; each organisation's part of a reset is restored at most once. Guarded ({@link LockoutGuard}):
     * a global policy turned back on can lock admins out again — refused unless {@code force}.
     */
    public RestorePlan restoreGlobalPolicies(String orgName, boolean force) {
        return Tx.run(ds, c -> {
            UUID org = Lookup.org(c, orgName);
            RestorePlan plan = plan(c, org, orgName);
            LockoutGuard guard = LockoutGuard.before(c, org, force);
            List<UUID> ids = plan.restore().stream().map(r -> UUID.fromString((String) r.get("policy_id"))).toList();
            Sql.update(c, "UPDATE network_access_policies SET is_global = true, updated_at = now(), updated_by = ?"
                    + " WHERE id = ANY (?)", actor, c.createArrayOf("uuid", ids.toArray()));
            guard.check(c);
            // this organisation's part is done; the reset is done once every organisation it touched is
            Sql.update(c, "UPDATE global_policy_resets r SET restored_orgs = restored_orgs || ?::uuid WHERE id = ?",
                    org, plan.resetId());
            Sql.update(c, "UPDATE global_policy_resets r SET restored_at = now(), restored_by = ? WHERE id = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM network_access_policies p WHERE p.id = ANY (r.policy_ids)"
                    + " AND NOT (p.org_id = ANY (r.restored_orgs)))", actor, plan.resetId());
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("is_global", true);
            after.put("policy_ids", ids.stream().map(UUID::toString).toList());
            after.put("skipped", plan.skipped());
            AdminLog.record(c, actor, "restore-global-policies", orgName, Map.of("is_global", false), after);
            return plan;
        });
    }

    /** The organisation's SSO state: name, id, require_sso and each provider. */
    public Map<String, Object> ssoState(String orgName) {
        return Tx.run(ds, c -> ssoState(c, orgName));
    }

    private static Map<String, Object> ssoState(Connection c, String orgName) throws SQLException {
        UUID org = Lookup.org(c, orgName);
        Map<String, Object> m = new LinkedHashMap<>(Rows.query(c,
                "SELECT name AS org, id AS org_id, require_sso FROM organisations WHERE id = ?", org).get(0));
        m.put("providers", Rows.query(c, "SELECT name, provider_type AS type, enabled, id FROM sso_providers"
                + " WHERE org_id = ? ORDER BY provider_type", org));
        return m;
    }

    /** require_sso = false; with {@code providersToo}, every provider disabled (not deleted). Returns the new state. */
    public Map<String, Object> disableSso(String orgName, boolean providersToo) {
        return Tx.run(ds, c -> {
            Map<String, Object> before = ssoState(c, orgName);
            UUID org = UUID.fromString((String) before.get("org_id"));
            try (PreparedStatement ps = c.prepareStatement("UPDATE organisations SET require_sso = false WHERE id = ?")) {
                ps.setObject(1, org);
                ps.executeUpdate();
            }
            if (providersToo) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sso_providers SET enabled = false, updated_at = now() WHERE org_id = ? AND enabled")) {
                    ps.setObject(1, org);
                    ps.executeUpdate();
                }
            }
            Map<String, Object> after = ssoState(c, orgName);
            AdminLog.record(c, actor, providersToo ? "disable-org-sso --disable-providers" : "disable-org-sso --disable-enforcement",
                    orgName, before, after);
            return after;
        });
    }
}
