package dev.gatehouse.core.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the gateways' sign-in threads write of a sign-in: one {@code sso_events} row per sign-in, refused sign-in (with
 * its reason) and sign-out of an organisation, and the account's and provider's last sign-in (which V8's triggers keep
 * from reloading any policy). A person signs in a few times a day: no batching needed.
 */
public final class SsoEvents {
    private SsoEvents() {
    }

    /**
     * One row of sso_events.
     *
     * @param event    {@code sign-in}, {@code sign-in refused} or {@code sign-out}
     * @param clientIp an IP literal, or null
     * @param reason   why a sign-in was refused (its metric label), or null
     */
    public static void record(DataSource ds, String event, UUID org, UUID provider, UUID account, String email,
                              String clientIp, String reason) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO sso_events (org_id, provider_id, account_id, event,"
                     + " email, client_ip, reason) VALUES (?, ?, ?, ?, ?, ?::inet, ?)")) {
            ps.setObject(1, org);
            ps.setObject(2, provider);
            ps.setObject(3, account);
            ps.setString(4, event);
            ps.setString(5, email);
            ps.setString(6, clientIp);
            ps.setString(7, reason);
            ps.executeUpdate();
        }
    }

    /**
     * The account's and the provider's last sign-in: now, by the database's clock — which is returned (null when the
     * account is gone), so that a session's issue time and a revocation's not-before instant are read off one clock.
     */
    public static Instant signedIn(DataSource ds, UUID account, UUID provider) throws SQLException {
        try (Connection c = ds.getConnection()) {
            Sql.update(c, "UPDATE sso_providers SET last_sign_in_at = now() WHERE id = ?", provider);
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET last_sign_in_at = now() WHERE id = ?"
                    + " RETURNING last_sign_in_at")) {
                ps.setObject(1, account);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getTimestamp(1).toInstant() : null;
                }
            }
        }
    }
}
