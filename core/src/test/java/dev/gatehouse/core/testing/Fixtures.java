package dev.gatehouse.core.testing;

import dev.gatehouse.core.policy.TokenHash;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/** Rows for tests, written with plain SQL into a test database. */
public final class Fixtures {
    private final TestDatabase db;

    public Fixtures(TestDatabase db) {
        this.db = db;
    }

    public UUID org(String name) {
        return (UUID) db.queryValue("INSERT INTO organisations (name) VALUES (?) RETURNING id", name);
    }

    public UUID app(UUID org, String name) {
        return (UUID) db.queryValue("INSERT INTO apps (org_id, name) VALUES (?, ?) RETURNING id", org, name);
    }

    public UUID account(UUID org, String name, String kind, String role) {
        return (UUID) db.queryValue("INSERT INTO accounts (org_id, name, kind, role) VALUES (?, ?, ?, ?) RETURNING id",
                org, name, kind, role);
    }

    /** A policy with entries written "allow 10.0.0.0/8" or "deny 1.2.3.4/32". */
    public UUID policy(UUID org, String name, boolean global, String... entries) {
        UUID id = (UUID) db.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by, updated_by)"
                + " VALUES (?, ?, ?, 'test', 'test') RETURNING id", org, name, global);
        for (String e : entries) {
            entry(id, e);
        }
        return id;
    }

    public void entry(UUID policy, String entry) {
        String[] p = entry.split(" ", 2);
        db.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, ?, ?::cidr)", policy, p[0], p[1]);
    }

    public void assign(UUID account, UUID policy) {
        db.update("INSERT INTO account_network_policies (org_id, account_id, policy_id, assigned_by)"
                + " SELECT org_id, ?, ?, 'test' FROM accounts WHERE id = ?", account, policy, account);
    }

    /** A token whose secret is {@code secret}. */
    public UUID token(UUID account, String secret, Instant expiresAt) {
        Timestamp expires = expiresAt == null ? null : Timestamp.from(expiresAt);
        return (UUID) db.queryValue("INSERT INTO api_tokens (account_id, token_hash, prefix, expires_at, created_at)"
                        + " VALUES (?, ?, ?, ?, LEAST(now(), coalesce(?::timestamptz, now()) - interval '1 hour')) RETURNING id",
                account, TokenHash.sha256(secret), secret.substring(0, Math.min(8, secret.length())), expires, expires);
    }

    public void revoke(UUID token) {
        db.update("UPDATE api_tokens SET revoked_at = now() WHERE id = ?", token);
    }
}
