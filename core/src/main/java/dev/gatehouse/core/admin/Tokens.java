package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.policy.TokenHash;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * API tokens: a secret of 40 random base-62 characters after "gh_", shown once at creation; only
 * its SHA-256 and a short prefix (for listings) are stored.
 */
public final class Tokens {
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource ds;
    private final String actor;

    public Tokens(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /** A created token: its id and its secret (never stored, never shown again). */
    public record Created(UUID id, String secret, String prefix, Instant expiresAt) {
    }

    public Created create(String org, String account, String name, Duration validFor) {
        char[] s = new char[40];
        for (int i = 0; i < s.length; i++) {
            s[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        String secret = "gh_" + new String(s);
        String prefix = secret.substring(0, 10);
        Instant expires = validFor == null ? null : Instant.now().plus(validFor);
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID accountId = Lookup.account(c, orgId, org, account);
            UUID id = (UUID) Sql.insertReturning(c, "token", "INSERT INTO api_tokens (account_id, name, token_hash, prefix,"
                            + " expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id", accountId, name, TokenHash.sha256(secret), prefix,
                    expires == null ? null : Timestamp.from(expires));
            AdminLog.record(c, actor, "token create", org + "/" + account, null,
                    Map.of("id", id.toString(), "prefix", prefix, "expires_at", String.valueOf(expires)));
            return new Created(id, secret, prefix, expires);
        });
    }

    /** A line of {@code token list}: never the secret. */
    public record TokenSummary(UUID id, String prefix, String account, String name, Instant createdAt, Instant expiresAt,
                               Instant revokedAt, Instant lastUsedAt) {
    }

    /** A revoked token. */
    public record Revoked(UUID id, String prefix, String account) {
    }

    public List<TokenSummary> list(String org, String account) {
        return list(org, account, Integer.MAX_VALUE);
    }

    /** At most {@code limit} tokens, oldest first (the console's bounded view). */
    public List<TokenSummary> list(String org, String account, int limit) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID accountId = account == null ? null : Lookup.account(c, orgId, org, account);
            return Rows.list(c, TokenSummary.class, "SELECT t.id, t.prefix, a.name AS account, t.name, t.created_at, t.expires_at,"
                    + " t.revoked_at, t.last_used_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id"
                    + " WHERE a.org_id = ? AND (?::uuid IS NULL OR a.id = ?::uuid) ORDER BY t.created_at LIMIT ?",
                    orgId, accountId, accountId, limit);
        });
    }

    /** Revokes by id or by prefix; an already revoked token is an error (nothing changes). */
    public Revoked revoke(String org, String idOrPrefix) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = null;
            try {
                id = UUID.fromString(idOrPrefix);
            } catch (IllegalArgumentException notAnId) {
                // a prefix
            }
            List<Revoked> rows = Rows.list(c, Revoked.class, "UPDATE api_tokens t SET revoked_at = now() FROM accounts a"
                    + " WHERE a.id = t.account_id AND a.org_id = ? AND t.revoked_at IS NULL"
                    + " AND (t.id = ?::uuid OR (?::uuid IS NULL AND t.prefix = ?)) RETURNING t.id, t.prefix, a.name AS account",
                    orgId, id, id, idOrPrefix);
            if (rows.isEmpty()) {
                throw new NotFound("organisation '" + org + "' has no unrevoked token '" + idOrPrefix + "'");
            }
            if (rows.size() > 1) {
                throw new GatehouseException("'" + idOrPrefix + "' names " + rows.size() + " tokens; give the token id");
            }
            AdminLog.record(c, actor, "token revoke", org + "/" + rows.get(0).account(),
                    Map.of("revoked", false), Map.of("revoked", true, "id", rows.get(0).id().toString()));
            return rows.get(0);
        });
    }
}
