package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import java.time.Instant;
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

    /** A line of {@code org list}. */
    public record OrgSummary(String name, UUID id, boolean requireSso, Integer retentionDays, String auditMode, long apps,
                             long accounts, long policies, Instant createdAt) {
    }

    /** {@code org show}: the organisation with its apps, accounts, policies and SSO providers. */
    public record OrgDetail(String name, UUID id, boolean requireSso, Integer retentionDays, String auditMode,
                            Instant createdAt, List<AppRef> apps, List<AccountRef> accounts, List<PolicyRef> policies,
                            List<SsoProviderRef> ssoProviders) {
    }

    private record OrgHead(String name, UUID id, boolean requireSso, Integer retentionDays, String auditMode,
                           Instant createdAt) {
    }

    public record AppRef(String name, UUID id) {
    }

    public record AccountRef(String name, String kind, String role, String email, UUID id) {
    }

    public record PolicyRef(String name, boolean isGlobal, UUID id) {
    }

    public record SsoProviderRef(String name, String type, boolean enabled) {
    }

    /** A line of {@code app list}; retention and audit mode null when the organisation's apply. */
    public record AppSummary(String name, UUID id, Integer retentionDays, String auditMode, Instant createdAt) {
    }

    /** A line of {@code account list}. */
    public record AccountSummary(String name, String kind, String role, String email, UUID id, long policies,
                                 Instant createdAt) {
    }

    public UUID createOrg(String name, boolean requireSso, Integer retentionDays) {
        noSlash("an organisation's", name);
        return Tx.run(ds, c -> {
            UUID id = (UUID) Sql.insertReturning(c, "organisation '" + name + "'",
                    "INSERT INTO organisations (name, require_sso, audit_retention_days) VALUES (?, ?, ?) RETURNING id",
                    name, requireSso, retentionDays);
            AdminLog.record(c, actor, "org create", name, null, Map.of("id", id.toString(), "require_sso", requireSso));
            return id;
        });
    }

    /**
     * "Org/App" names an app (routes, identity assertions' audience): a '/' in either name would make two things one
     * name — an organisation "Acme/vault"'s assertions would pass for the app vault's of Acme.
     */
    private static void noSlash(String whose, String name) {
        if (name.indexOf('/') >= 0) {
            throw new GatehouseException(whose + " name may not contain '/' (Org/App names an app): '" + name + "'");
        }
    }

    public List<OrgSummary> listOrgs() {
        return Tx.run(ds, c -> Rows.list(c, OrgSummary.class, "SELECT o.name, o.id, o.require_sso, o.audit_retention_days AS retention_days,"
                + " o.audit_mode, (SELECT count(*) FROM apps WHERE org_id = o.id) AS apps,"
                + " (SELECT count(*) FROM accounts WHERE org_id = o.id) AS accounts,"
                + " (SELECT count(*) FROM network_access_policies WHERE org_id = o.id) AS policies, o.created_at"
                + " FROM organisations o ORDER BY o.name"));
    }

    public OrgDetail showOrg(String name) {
        return showOrg(name, Integer.MAX_VALUE);
    }

    /** With at most {@code limit} accounts, apps and policies each (the console's bounded view). */
    public OrgDetail showOrg(String name, int limit) {
        return Tx.run(ds, c -> {
            UUID id = Lookup.org(c, name);
            OrgHead h = Rows.one(c, OrgHead.class, "SELECT name, id, require_sso, audit_retention_days"
                    + " AS retention_days, audit_mode, created_at FROM organisations WHERE id = ?", id);
            return new OrgDetail(h.name(), h.id(), h.requireSso(), h.retentionDays(), h.auditMode(), h.createdAt(),
                    Rows.list(c, AppRef.class, "SELECT name, id FROM apps WHERE org_id = ? ORDER BY name LIMIT ?", id,
                            limit),
                    Rows.list(c, AccountRef.class, "SELECT name, kind, role, email, id FROM accounts WHERE org_id = ?"
                            + " ORDER BY name LIMIT ?", id, limit),
                    Rows.list(c, PolicyRef.class, "SELECT name, is_global, id FROM network_access_policies"
                            + " WHERE org_id = ? ORDER BY name LIMIT ?", id, limit),
                    Rows.list(c, SsoProviderRef.class, "SELECT name, provider_type AS type, enabled FROM sso_providers"
                            + " WHERE org_id = ? ORDER BY provider_type", id));
        });
    }

    public UUID createApp(String org, String name) {
        noSlash("an app's", name);
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = (UUID) Sql.insertReturning(c, "app '" + name + "' in organisation '" + org + "'",
                    "INSERT INTO apps (org_id, name) VALUES (?, ?) RETURNING id", orgId, name);
            AdminLog.record(c, actor, "app create", org + "/" + name, null, Map.of("id", id.toString()));
            return id;
        });
    }

    public List<AppSummary> listApps(String org) {
        return Tx.run(ds, c -> Rows.list(c, AppSummary.class, "SELECT name, id, audit_retention_days AS retention_days, audit_mode, created_at"
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

    private record Created(UUID id, String org) {
    }

    /**
     * A member account made at its first sign-in (a provider with {@code auto_create = member}): role member, never
     * admin. Returns its id; when the organisation has an account of that name or email already (another replica's
     * sign-in made it meanwhile, or an operator did), the member account with that email (case-insensitive), or null
     * when there is none (the name or address belongs to a service account). The admin_actions row
     * names this instance's actor, such as {@code sso:okta}.
     *
     * @throws GatehouseException when the database refuses (no such organisation, a malformed email) or is away
     */
    public UUID createMember(UUID org, String name, String email) {
        return Tx.run(ds, c -> {
            List<Created> made = Rows.list(c, Created.class, "WITH made AS (INSERT INTO accounts (org_id, name, kind, role,"
                    + " email) VALUES (?, ?, 'member', 'member', ?) ON CONFLICT DO NOTHING RETURNING id, org_id)"
                    + " SELECT made.id, o.name AS org FROM made JOIN organisations o ON o.id = made.org_id", org, name, email);
            if (made.isEmpty()) { // made meanwhile (two first sign-ins at once): the member with that address, if any
                List<Created> there = Rows.list(c, Created.class, "SELECT a.id, o.name AS org FROM accounts a JOIN"
                        + " organisations o ON o.id = a.org_id WHERE a.org_id = ? AND a.kind = 'member'"
                        + " AND lower(a.email) = lower(?)", org, email);
                return there.isEmpty() ? null : there.get(0).id();
            }
            Created m = made.get(0);
            AdminLog.record(c, actor, "account create (sso auto-create)", m.org() + "/" + name, null,
                    Map.of("id", m.id().toString(), "kind", "member", "role", "member", "email", email));
            return m.id();
        });
    }

    public List<AccountSummary> listAccounts(String org) {
        return Tx.run(ds, c -> Rows.list(c, AccountSummary.class, "SELECT a.name, a.kind, a.role, a.email, a.id,"
                + " (SELECT count(*) FROM account_network_policies p WHERE p.account_id = a.id) AS policies, a.created_at"
                + " FROM accounts a WHERE a.org_id = ? ORDER BY a.name", Lookup.org(c, org)));
    }
}
