package dev.gatehouse.core.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
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

    /** A global policy a reset turns off, or a restore turns back on. */
    public record ResetPolicy(String org, String policy, UUID policyId) {
    }

    /** A policy of the reset a restore leaves as it is, with why. */
    public record SkippedPolicy(String org, String policy, UUID policyId, String why) {
    }

    /**
     * An organisation's SSO state.
     *
     * @param ssoBreakGlassAt since when the gateways serve every route of the organisation without sign-in,
     *                        {@code sso = required} ones included (set by {@link #disableSso}, cleared by
     *                        {@code sso require}); null: not in break-glass
     */
    public record SsoState(String org, UUID orgId, boolean requireSso, Instant ssoBreakGlassAt, List<SsoProvider> providers) {
    }

    public record SsoProvider(String name, String type, boolean enabled, UUID id, String issuer, Instant lastSignInAt) {
    }

    private record SsoHead(String org, UUID orgId, boolean requireSso, Instant ssoBreakGlassAt) {
    }

    /** What admin_actions records of a reset or restore (skipped: a restore's only). */
    private record GlobalChange(boolean isGlobal, List<UUID> policyIds, List<SkippedPolicy> skipped) {
    }

    private record OrgId(UUID orgId) {
    }

    private record ResetCandidate(String org, String policy, UUID policyId, boolean isGlobal, boolean changed,
                                  String updatedBy, Instant updatedAt) {
    }

    /** The global policies that a reset would turn off (org name, policy name, id). */
    public List<ResetPolicy> globalPolicies(String orgName) {
        return Tx.run(ds, c -> {
            UUID org = orgName == null ? null : Lookup.org(c, orgName);
            return Rows.list(c, ResetPolicy.class, "SELECT o.name AS org, p.name AS policy, p.id AS policy_id FROM network_access_policies p"
                    + " JOIN organisations o ON o.id = p.org_id WHERE p.is_global AND (?::uuid IS NULL OR p.org_id = ?::uuid)"
                    + " ORDER BY o.name, p.name", org, org);
        });
    }

    /**
     * Sets is_global = false on every global policy (of one organisation, or all); returns what changed. Guarded like
     * any policy change ({@link LockoutGuard}): taking a global allow policy away can deny an admin whose address only
     * it allowed — refused unless {@code force}.
     */
    public List<ResetPolicy> resetGlobalPolicies(String orgName, boolean force) {
        return Tx.run(ds, c -> {
            UUID org = orgName == null ? null : Lookup.org(c, orgName);
            List<UUID> touched = new ArrayList<>();
            for (OrgId r : Rows.list(c, OrgId.class, "SELECT DISTINCT org_id FROM network_access_policies"
                    + " WHERE is_global AND (?::uuid IS NULL OR org_id = ?::uuid)", org, org)) {
                touched.add(r.orgId());
            }
            LockoutGuard guard = LockoutGuard.before(c, touched, force); // every organisation: one snapshot, not one each
            List<ResetPolicy> changed = Rows.list(c, ResetPolicy.class, "UPDATE network_access_policies p SET is_global = false,"
                    + " updated_at = now(), updated_by = ? FROM organisations o WHERE o.id = p.org_id AND p.is_global"
                    + " AND (?::uuid IS NULL OR p.org_id = ?::uuid) RETURNING o.name AS org, p.name AS policy, p.id AS policy_id",
                    actor, org, org);
            List<UUID> ids = new ArrayList<>();
            changed.forEach(r -> ids.add(r.policyId()));
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
            AdminLog.record(c, actor, "reset-global-policies", orgName == null ? "all organisations" : orgName,
                    Map.of("is_global", true), new GlobalChange(false, ids, null));
            return changed;
        });
    }

    /**
     * What a restore of {@code orgName} would do: the policies it turns back on, and those of the reset it leaves as
     * they are, each with why (changed since the reset, already global, deleted).
     */
    public record RestorePlan(long resetId, Instant resetAt, List<ResetPolicy> restore, List<SkippedPolicy> skipped) {
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
        List<ResetPolicy> restore = new ArrayList<>();
        List<SkippedPolicy> skipped = new ArrayList<>();
        for (ResetCandidate p : Rows.list(c, ResetCandidate.class, "SELECT o.name AS org, p.name AS policy,"
                + " p.id AS policy_id, p.is_global, p.updated_at > r.reset_at AS changed, p.updated_by, p.updated_at"
                + " FROM network_access_policies p JOIN organisations o ON o.id = p.org_id"
                + " JOIN global_policy_resets r ON r.id = ? WHERE p.org_id = ? AND p.id = ANY (r.policy_ids)"
                + " ORDER BY p.name", resetId, org)) {
            if (p.isGlobal()) {
                skipped.add(new SkippedPolicy(p.org(), p.policy(), p.policyId(), "already global"));
            } else if (p.changed()) {
                skipped.add(new SkippedPolicy(p.org(), p.policy(), p.policyId(), "changed since the reset (by "
                        + p.updatedBy() + " at " + p.updatedAt() + "): left as it is"));
            } else {
                restore.add(new ResetPolicy(p.org(), p.policy(), p.policyId()));
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
            List<UUID> ids = plan.restore().stream().map(ResetPolicy::policyId).toList();
            Sql.update(c, "UPDATE network_access_policies SET is_global = true, updated_at = now(), updated_by = ?"
                    + " WHERE id = ANY (?)", actor, c.createArrayOf("uuid", ids.toArray()));
            guard.check(c);
            // this organisation's part is done; the reset is done once every organisation it touched is
            Sql.update(c, "UPDATE global_policy_resets r SET restored_orgs = restored_orgs || ?::uuid WHERE id = ?",
                    org, plan.resetId());
            Sql.update(c, "UPDATE global_policy_resets r SET restored_at = now(), restored_by = ? WHERE id = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM network_access_policies p WHERE p.id = ANY (r.policy_ids)"
                    + " AND NOT (p.org_id = ANY (r.restored_orgs)))", actor, plan.resetId());
            AdminLog.record(c, actor, "restore-global-policies", orgName, Map.of("is_global", false),
                    new GlobalChange(true, ids, plan.skipped()));
            return plan;
        });
    }

    /** The organisation's SSO state: name, id, require_sso and each provider. */
    public SsoState ssoState(String orgName) {
        return Tx.run(ds, c -> ssoState(c, orgName));
    }

    private static SsoState ssoState(Connection c, String orgName) throws SQLException {
        UUID org = Lookup.org(c, orgName);
        SsoHead h = Rows.one(c, SsoHead.class, "SELECT name AS org, id AS org_id, require_sso, sso_break_glass_at"
                + " FROM organisations WHERE id = ?", org);
        return new SsoState(h.org(), h.orgId(), h.requireSso(), h.ssoBreakGlassAt(), Rows.list(c, SsoProvider.class,
                "SELECT name, provider_type AS type, enabled, id, issuer, last_sign_in_at FROM sso_providers WHERE org_id = ?"
                        + " ORDER BY name",
                org));
    }

    /**
     * The break-glass: require_sso = false, and every route of the organisation served without sign-in, {@code sso =
     * required} ones included, until {@code sso require} (sso_break_glass_at, kept from the first time when it is set
     * already); with {@code providersToo}, every provider disabled (not deleted) too. Returns the new state.
     */
    public SsoState disableSso(String orgName, boolean providersToo) {
        return Tx.run(ds, c -> {
            SsoState before = ssoState(c, orgName);
            UUID org = before.orgId();
            try (PreparedStatement ps = c.prepareStatement("UPDATE organisations SET require_sso = false,"
                    + " sso_break_glass_at = coalesce(sso_break_glass_at, now()) WHERE id = ?")) {
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
            SsoState after = ssoState(c, orgName);
            AdminLog.record(c, actor, providersToo ? "disable-org-sso --disable-providers" : "disable-org-sso --disable-enforcement",
                    orgName, before, after);
            return after;
        });
    }
}
