package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.sso.IssuerUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * An organisation's OpenID Connect providers and whether it requires sign-in. The client secret is never stored:
 * a provider names where the gateway reads it ({@code file:/path} or {@code env:NAME}). Every change runs in one
 * transaction with its admin_actions row; gateways see it through NOTIFY (the table's trigger).
 */
public final class SsoProviders {
    /** The form of {@code --allowed-domain}: a DNS name, lower-cased (no wildcard: subdomains are their own entries). */
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final DataSource ds;
    private final String actor;

    public SsoProviders(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /**
     * A provider as stored: never its secret, only where the gateway reads it.
     *
     * @param callbackPath the shared callback a provider registered before version 8 keeps, else null (its own)
     */
    public record Provider(String org, String name, UUID id, String issuer, String clientId, String clientSecretRef,
                           List<String> allowedDomains, String autoCreate, boolean emailVouched, boolean enabled,
                           String callbackPath, Instant lastSignInAt, Instant updatedAt) {
        /** The path, under the public base URL, to register with the provider as its redirect URI. */
        public String redirectPath() {
            return PolicySnapshot.SsoProvider.redirectPath(id, callbackPath);
        }
    }

    /** What {@code add} is given. */
    public record NewProvider(String name, String issuer, String clientId, String clientSecretRef,
                              List<String> allowedDomains, String autoCreate, boolean emailVouched) {
    }

    /**
     * {@code sso require}: the organisation's setting after the change, and the admins who never signed in.
     *
     * @param breakGlassEnded the organisation was in break-glass ({@code disable-org-sso}) and no longer is: its
     *                        {@code sso = required} routes ask for sign-in again
     */
    public record Requirement(String org, boolean requireSso, boolean breakGlassEnded, List<String> adminsNeverSignedIn) {
    }

    private record RequireState(boolean requireSso, Instant ssoBreakGlassAt) {
    }

    private record Name(String name) {
    }

    private static final String SELECT = "SELECT o.name AS org, p.name, p.id, p.issuer, p.client_id,"
            + " p.client_secret_ref, p.allowed_domains, p.auto_create, p.email_vouched, p.enabled, p.callback_path,"
            + " p.last_sign_in_at, p.updated_at FROM sso_providers p JOIN organisations o ON o.id = p.org_id";

    /** {@code file:/absolute/path} or {@code env:NAME}, or IllegalArgumentException. */
    public static String secretRef(String file, String env) {
        if ((file == null) == (env == null)) {
            throw new IllegalArgumentException("give the client secret as --client-secret-file FILE or"
                    + " --client-secret-env NAME (one of them)");
        }
        if (env != null) {
            if (!ENV_NAME.matcher(env).matches()) {
                throw new IllegalArgumentException("--client-secret-env: '" + env + "' is not an environment variable name");
            }
            return "env:" + env;
        }
        Path p = Path.of(file).toAbsolutePath().normalize();
        return "file:" + p;
    }

    /** The domains, lower-cased and checked. */
    public static List<String> domains(List<String> given) {
        return given.stream().map(d -> {
            String v = d.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("@")) {
                v = v.substring(1);
            }
            if (!DOMAIN.matcher(v).matches()) {
                throw new IllegalArgumentException("--allowed-domain: '" + d + "' is not a domain name (example.com)");
            }
            return v;
        }).distinct().toList();
    }

    public Provider add(String org, NewProvider p) {
        String issuer = IssuerUrl.check(p.issuer());
        if (p.clientId() == null || p.clientId().isBlank()) {
            throw new IllegalArgumentException("--client-id must not be empty");
        }
        if (p.autoCreate() != null && !p.autoCreate().equals("member")) {
            throw new IllegalArgumentException("--auto-create: only 'member' (accounts are never created as admins)");
        }
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = (UUID) Sql.insertReturning(c, "provider '" + p.name() + "' of organisation '" + org + "'",
                    "INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref,"
                            + " allowed_domains, auto_create, email_vouched, updated_by) VALUES (?, 'oidc', ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " RETURNING id", orgId, p.name().trim(), issuer, p.clientId().trim(), p.clientSecretRef(),
                    c.createArrayOf("text", p.allowedDomains().toArray()), p.autoCreate(), p.emailVouched(), actor);
            Provider added = one(c, id);
            AdminLog.record(c, actor, "sso provider add", org + "/" + p.name(), null, added);
            return added;
        });
    }

    public List<Provider> list(String org) {
        return Tx.run(ds, c -> Rows.list(c, Provider.class, SELECT + " WHERE p.org_id = ? ORDER BY p.name", Lookup.org(c, org)));
    }

    public Provider show(String org, String name) {
        return Tx.run(ds, c -> one(c, id(c, org, name)));
    }

    /** Enables or disables a provider; a disabled one signs nobody in, and the sessions it made stop working. */
    public Provider enable(String org, String name, boolean enabled) {
        return Tx.run(ds, c -> {
            UUID id = id(c, org, name);
            Provider before = one(c, id);
            if (before.enabled() == enabled) {
                throw new GatehouseException("provider '" + name + "' is already " + (enabled ? "enabled" : "disabled"));
            }
            Sql.update(c, "UPDATE sso_providers SET enabled = ?, updated_at = now(), updated_by = ? WHERE id = ?",
                    enabled, actor, id);
            Provider after = one(c, id);
            AdminLog.record(c, actor, enabled ? "sso provider enable" : "sso provider disable", org + "/" + name, before, after);
            return after;
        });
    }

    public Provider remove(String org, String name) {
        return Tx.run(ds, c -> {
            UUID id = id(c, org, name);
            Provider before = one(c, id);
            Sql.update(c, "DELETE FROM sso_providers WHERE id = ?", id);
            AdminLog.record(c, actor, "sso provider remove", org + "/" + name, before, null);
            return before;
        });
    }

    /**
     * Turns sign-in enforcement on or off. On needs an enabled provider (the caller checks that it answers); the
     * admins who never signed in are named, since they must before enforcement reaches them.
     */
    public Requirement require(String org, boolean on) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            if (on && Rows.list(c, Name.class, "SELECT name FROM sso_providers WHERE org_id = ? AND enabled"
                    + " AND provider_type = 'oidc'", orgId).isEmpty()) {
                throw new GatehouseException("organisation '" + org + "' has no enabled provider: add one"
                        + " (gatehouse-admin sso provider add) before requiring sign-in");
            }
            RequireState before = Rows.one(c, RequireState.class, "SELECT require_sso, sso_break_glass_at"
                    + " FROM organisations WHERE id = ?", orgId);
            if (before.requireSso() == on) {
                throw new GatehouseException("organisation '" + org + "' already " + (on ? "requires" : "does not require")
                        + " sign-in");
            }
            // turning enforcement on again ends the break-glass; off leaves it as it is
            boolean breakGlassEnded = on && before.ssoBreakGlassAt() != null;
            Sql.update(c, "UPDATE organisations SET require_sso = ?, sso_break_glass_at = CASE WHEN ? THEN NULL"
                    + " ELSE sso_break_glass_at END WHERE id = ?", on, on, orgId);
            AdminLog.record(c, actor, on ? "sso require" : "sso require --off", org, before,
                    new RequireState(on, on ? null : before.ssoBreakGlassAt()));
            List<String> never = Rows.list(c, Name.class, "SELECT name FROM accounts WHERE org_id = ? AND role = 'admin'"
                    + " AND kind = 'member' AND last_sign_in_at IS NULL ORDER BY name", orgId).stream().map(Name::name).toList();
            return new Requirement(org, on, breakGlassEnded, never);
        });
    }

    private static UUID id(Connection c, String org, String name) throws SQLException {
        UUID orgId = Lookup.org(c, org);
        UUID id = Lookup.one(c, "SELECT id FROM sso_providers WHERE org_id = ? AND name = ?", orgId, name);
        if (id == null) {
            throw new NotFound("organisation '" + org + "' has no SSO provider named '" + name + "'");
        }
        return id;
    }

    private static Provider one(Connection c, UUID id) throws SQLException {
        return Rows.one(c, Provider.class, SELECT + " WHERE p.id = ?", id);
    }
}
