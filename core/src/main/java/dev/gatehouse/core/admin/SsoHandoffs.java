package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One-time sign-in hand-over codes. The provider sends the browser back to the public base URL's host; the gateway
 * there stores the new (sealed) session under the hash of a short-lived random code and sends the browser to the
 * app's own host with the code, where whichever replica the browser reaches takes it — once: {@link #take} deletes
 * the row as it reads it, so a code is used at most once across every replica, even when its redemption then fails
 * (wrong host, wrong binding cookie, expired).
 *
 * <p>Only hashes are stored of the code and of the cookie binding it to the browser; the session is sealed like the
 * cookie it becomes. Every instant is the database's clock, whatever the JVM's zone. No admin_actions row: these are
 * the gateways' own, not changes made by an operator.
 */
public final class SsoHandoffs {
    private SsoHandoffs() {
    }

    /**
     * A hand-over taken by {@link #take}.
     *
     * @param orgId       the organisation signed in to
     * @param host        the app's host the code may be redeemed on
     * @param bindingHash the hash of the cookie the app's host set when the sign-in began there
     * @param session     the sealed session, for the session cookie on the app's host
     * @param returnTo    where the browser goes next on that host
     * @param expiresAt   when the code stopped being usable (in the future: {@link #take} returns only live ones)
     */
    public record Handoff(UUID orgId, String host, byte[] bindingHash, String session, String returnTo, Instant expiresAt) {
    }

    private record Taken(UUID orgId, String host, byte[] bindingHash, String session, String returnTo, Instant expiresAt,
                         boolean live) {
    }

    /**
     * Stores a hand-over under the hash of its code, and deletes the expired ones.
     *
     * @throws GatehouseException when the database refuses (a code hash already there, an unknown organisation) or is
     *                            away
     */
    public static void put(DataSource ds, byte[] codeHash, UUID org, String host, byte[] bindingHash,
                           String sealedSession, String returnTo, Instant expiresAt) {
        Tx.run(ds, c -> {
            put(c, codeHash, org, host, bindingHash, sealedSession, returnTo, expiresAt);
            return null;
        });
    }

    /** {@link #put(DataSource, byte[], UUID, String, byte[], String, String, Instant)} on the caller's connection. */
    public static void put(Connection c, byte[] codeHash, UUID org, String host, byte[] bindingHash,
                           String sealedSession, String returnTo, Instant expiresAt) throws SQLException {
        Sql.update(c, "DELETE FROM sso_handoffs WHERE expires_at <= now()");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sso_handoffs (code_hash, org_id, host, binding_hash,"
                + " session, return_to, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setBytes(1, codeHash);
            ps.setObject(2, org);
            ps.setString(3, host);
            ps.setBytes(4, bindingHash);
            ps.setString(5, sealedSession);
            ps.setString(6, returnTo);
            ps.setObject(7, SsoSessions.utc(expiresAt));
            ps.executeUpdate();
        }
    }

    /**
     * Takes the hand-over stored under {@code codeHash}: deletes it and returns it, or null when there is none (never
     * stored, or taken already — by this replica or another) or it has expired. Of two replicas taking the same code
     * at once, one gets it and the other null.
     *
     * @throws GatehouseException when the database is away
     */
    public static Handoff take(DataSource ds, byte[] codeHash) {
        return Tx.run(ds, c -> take(c, codeHash));
    }

    /** {@link #take(DataSource, byte[])} on the caller's connection. */
    public static Handoff take(Connection c, byte[] codeHash) throws SQLException {
        List<Taken> rows = Rows.list(c, Taken.class, "DELETE FROM sso_handoffs WHERE code_hash = ? RETURNING org_id, host,"
                + " binding_hash, session, return_to, expires_at, expires_at > now() AS live", codeHash);
        if (rows.isEmpty() || !rows.get(0).live()) {
            return null;
        }
        Taken t = rows.get(0);
        return new Handoff(t.orgId(), t.host(), t.bindingHash(), t.session(), t.returnTo(), t.expiresAt());
    }
}
