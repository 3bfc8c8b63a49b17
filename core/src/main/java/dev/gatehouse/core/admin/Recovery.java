package dev.gatehouse.core.admin;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** Sets is_global = false on every global policy (of one organisation, or all); returns what changed. */
    public List<Map<String, Object>> resetGlobalPolicies(String orgName) {
        return Tx.run(ds, c -> {
            UUID org = orgName == null ? null : Lookup.org(c, orgName);
            List<Map<String, Object>> changed = Rows.query(c, "UPDATE network_access_policies p SET is_global = false,"
                    + " updated_at = now(), updated_by = ? FROM organisations o WHERE o.id = p.org_id AND p.is_global"
                    + " AND (?::uuid IS NULL OR p.org_id = ?::uuid) RETURNING o.name AS org, p.name AS policy, p.id AS policy_id",
                    actor, org, org);
            List<UUID> ids = new ArrayList<>();
            changed.forEach(r -> ids.add(UUID.fromString((String) r.get("policy_id"))));
            if (ids.isEmpty()) {
                return changed; // nothing was global: nothing to record or restore
            }
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
     * Turns back on exactly the policies the last unrestored reset covering {@code orgName} turned off
     * (those of that organisation, if the reset covered all). Returns what changed.
     */
    public List<Map<String, Object>> restoreGlobalPolicies(String orgName) {
        return Tx.run(ds, c -> {
            UUID org = Lookup.org(c, orgName);
            Long resetId = null;
            UUID[] ids = new UUID[0];
            try (PreparedStatement ps = c.prepareStatement("SELECT id, policy_ids FROM global_policy_resets"
                    + " WHERE restored_at IS NULL AND (org_id = ? OR org_id IS NULL) ORDER BY reset_at DESC, id DESC LIMIT 1")) {
                ps.setObject(1, org);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        resetId = rs.getLong(1);
                        Array a = rs.getArray(2);
                        ids = (UUID[]) a.getArray();
                    }
                }
            }
            if (resetId == null) {
                throw new NotFound("no reset of global policies to restore for organisation '" + orgName + "'");
            }
            List<Map<String, Object>> changed = Rows.query(c, "UPDATE network_access_policies p SET is_global = true,"
                    + " updated_at = now(), updated_by = ? FROM organisations o WHERE o.id = p.org_id AND p.org_id = ?"
                    + " AND p.id = ANY(?) AND NOT p.is_global RETURNING o.name AS org, p.name AS policy, p.id AS policy_id",
                    actor, org, c.createArrayOf("uuid", ids));
            // a reset of one organisation is restored whole; a reset of all, organisation by organisation
            try (PreparedStatement ps = c.prepareStatement("UPDATE global_policy_resets SET restored_at = now(),"
                    + " restored_by = ? WHERE id = ? AND (org_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM"
                    + " network_access_policies WHERE id = ANY(policy_ids) AND NOT is_global))")) {
                ps.setString(1, actor);
                ps.setLong(2, resetId);
                ps.executeUpdate();
            }
            AdminLog.record(c, actor, "restore-global-policies", orgName, Map.of("is_global", false),
                    Map.of("is_global", true, "policy_ids", changed.stream().map(r -> r.get("policy_id")).toList()));
            return changed;
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
