package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Ending sign-in sessions before they expire. A session is a cookie the gateways seal and keep nowhere, so what ends
 * it is data in the policy snapshot every gateway holds, announced by the tables' triggers like any policy change:
 * <ul>
 *   <li>{@link #revoke}: a not-before instant per organisation or per account; a session issued at or before it is
 *       over ({@code gatehouse-admin sso revoke});</li>
 *   <li>{@link #signedOut}: one session's id on a deny list until the session would have expired anyway (a copy of a
 *       signed-out cookie opens nothing).</li>
 * </ul>
 * Every instant is the database's clock (timestamptz), whatever the JVM's zone.
 */
public final class SsoSessions {
    /** How long a signed-out session's id stays past its expiry before a later sign-out deletes it. */
    static final String KEPT_PAST_EXPIRY = "1 hour";

    private final DataSource ds;
    private final String actor;

    public SsoSessions(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /**
     * What {@link #revoke} did.
     *
     * @param account           the account whose sessions end, or null: every account's of the organisation
     * @param sessionsNotBefore the sessions issued at or before it are over (the database's now())
     * @param memberAccounts    the member accounts concerned (service accounts never sign in)
     */
    public record Revocation(String org, String account, Instant sessionsNotBefore, long memberAccounts) {
    }

    private record NotBefore(Instant sessionsNotBefore) {
    }

    private record Count(long n) {
    }

    /**
     * Ends the sign-in sessions of one account of {@code org} (by name; any kind, though only members sign in), or of
     * every account when {@code account} is null: those issued until now. A sign-in after it makes a new session.
     */
    public Revocation revoke(String org, String account) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID accountId = account == null ? null : Lookup.account(c, orgId, org, account);
            Instant before;
            Instant after;
            long members;
            if (accountId == null) {
                before = Rows.one(c, NotBefore.class, "SELECT sessions_not_before FROM organisations WHERE id = ?",
                        orgId).sessionsNotBefore();
                after = Rows.one(c, NotBefore.class, "UPDATE organisations SET sessions_not_before = now() WHERE id = ?"
                        + " RETURNING sessions_not_before", orgId).sessionsNotBefore();
                members = Rows.one(c, Count.class, "SELECT count(*) AS n FROM accounts WHERE org_id = ?"
                        + " AND kind = 'member'", orgId).n();
            } else {
                before = Rows.one(c, NotBefore.class, "SELECT sessions_not_before FROM accounts WHERE id = ?",
                        accountId).sessionsNotBefore();
                after = Rows.one(c, NotBefore.class, "UPDATE accounts SET sessions_not_before = now() WHERE id = ?"
                        + " RETURNING sessions_not_before", accountId).sessionsNotBefore();
                members = Rows.one(c, Count.class, "SELECT count(*) AS n FROM accounts WHERE id = ? AND kind = 'member'",
                        accountId).n();
            }
            Revocation r = new Revocation(org, account, after, members);
            AdminLog.record(c, actor, "sso revoke", account == null ? org : org + "/" + account,
                    before == null ? null : new NotBefore(before), r);
            return r;
        });
    }

    /**
     * A session signed out: its id is refused by every gateway until {@code expiresAt}, when the session's own expiry
     * refuses it. Deletes the ids whose sessions expired over an hour ago. Called by the gateways' sign-in threads; a
     * sign-out is recorded in sso_events, not admin_actions. Signing out twice is no error.
     *
     * @throws GatehouseException when the database refuses or is away
     */
    public static void signedOut(DataSource ds, UUID org, String sessionId, Instant expiresAt) {
        Tx.run(ds, c -> {
            signedOut(c, org, sessionId, expiresAt);
            return null;
        });
    }

    /** {@link #signedOut(DataSource, UUID, String, Instant)} on the caller's connection (and transaction, if any). */
    public static void signedOut(Connection c, UUID org, String sessionId, Instant expiresAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sso_revoked_sessions (session_id, org_id, expires_at)"
                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, sessionId);
            ps.setObject(2, org);
            ps.setObject(3, utc(expiresAt));
            ps.executeUpdate();
        }
        Sql.update(c, "DELETE FROM sso_revoked_sessions WHERE expires_at < now() - interval '" + KEPT_PAST_EXPIRY + "'");
    }

    /** An instant as PostgreSQL's timestamptz, never through the JVM's zone. */
    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
