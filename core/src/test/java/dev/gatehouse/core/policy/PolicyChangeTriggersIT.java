package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** What the schema's triggers announce on gatehouse_policy_changes, as a gateway LISTENing receives it. */
class PolicyChangeTriggersIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    private static final Pattern FIELD = Pattern.compile("\"(table|op|org_id)\"\\s*:\\s*\"([^\"]*)\"");

    /** The first {@code n} notifications, each as "table op org_id", in the order their transactions committed. */
    private static List<String> first(PGConnection pg, int n) throws Exception {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.size() < n && System.nanoTime() < deadline) {
            PGNotification[] batch = pg.getNotifications(200);
            if (batch == null) {
                continue;
            }
            for (PGNotification note : batch) {
                Matcher m = FIELD.matcher(note.getParameter());
                List<String> parts = new ArrayList<>();
                while (m.find()) {
                    parts.add(m.group(2));
                }
                got.add(String.join(" ", parts));
            }
        }
        return got.subList(0, Math.min(n, got.size()));
    }

    @Test
    void aSignInsLastSignInAtAnnouncesNothingWhileEveryOtherChangeDoes() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Acme");
        UUID alice = f.account(acme, "alice", "member", "member");
        UUID okta = (UUID) d.queryValue("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id,"
                + " client_secret_ref) VALUES (?, 'oidc', 'okta', 'https://idp.example', 'c', 'env:X') RETURNING id", acme);
        try (Connection listener = d.connect(); Statement s = listener.createStatement()) {
            s.execute("LISTEN gatehouse_policy_changes");
            PGConnection pg = listener.unwrap(PGConnection.class);

            // each its own transaction: notifications arrive in commit order, so one from these would come first
            d.update("UPDATE accounts SET last_sign_in_at = now() WHERE id = ?", alice);
            d.update("UPDATE sso_providers SET last_sign_in_at = now() WHERE id = ?", okta);
            d.update("UPDATE accounts SET email = email WHERE id = ?", alice); // changes nothing
            d.update("DELETE FROM sso_revoked_sessions"); // nothing there; and deletes are of expired sessions

            d.update("UPDATE accounts SET email = 'alice@acme.test' WHERE id = ?", alice);
            d.update("UPDATE accounts SET sessions_not_before = now(), last_sign_in_at = now() WHERE id = ?", alice);
            d.update("UPDATE sso_providers SET enabled = false WHERE id = ?", okta);
            d.update("INSERT INTO sso_revoked_sessions (session_id, org_id, expires_at) VALUES ('s-1', ?,"
                    + " now() + interval '1 hour')", acme);
            d.update("DELETE FROM sso_revoked_sessions WHERE session_id = 's-1'");
            UUID bob = f.account(acme, "bob", "member", "member");
            d.update("DELETE FROM accounts WHERE id = ?", bob);
            d.update("UPDATE organisations SET sso_break_glass_at = now() WHERE id = ?", acme);
            d.update("INSERT INTO sso_handoffs (code_hash, org_id, host, binding_hash, session, return_to, expires_at)"
                    + " VALUES ('\\x01', ?, 'app.acme.test', '\\x02', 'sealed', '/', now() + interval '1 minute')", acme);
            d.update("DELETE FROM sso_providers WHERE id = ?", okta); // the last: nothing of sso_handoffs before it

            assertThat(first(pg, 8)).containsExactly(
                    "accounts UPDATE " + acme,
                    "accounts UPDATE " + acme,
                    "sso_providers UPDATE " + acme,
                    "sso_revoked_sessions INSERT " + acme,
                    "accounts INSERT " + acme,
                    "accounts DELETE " + acme,
                    "organisations UPDATE " + acme,
                    "sso_providers DELETE " + acme);
        }
    }

    private static long version(TestDatabase d, UUID org) {
        Object v = d.queryValue("SELECT version FROM policy_versions WHERE org_id = ?", org);
        return v == null ? 0 : (Long) v;
    }

    @Test
    void eachAnnouncingTransactionGivesItsOrganisationOneNewVersion() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Versioned");
        UUID other = f.org("Bystander");
        long created = version(d, acme);
        assertThat(created).as("an organisation has a version from its first row").isPositive();
        long bystander = version(d, other);
        UUID office = f.policy(acme, "office", true, "allow 10.0.0.0/8");
        long afterPolicy = version(d, acme);
        assertThat(afterPolicy).isNotEqualTo(created);

        try (Connection c = d.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO network_policy_entries (policy_id, action, network) VALUES ('" + office
                    + "', 'allow', '192.0.2.0/24')");
            long first = (Long) queryIn(s, "SELECT version FROM policy_versions WHERE org_id = '" + acme + "'");
            s.execute("INSERT INTO network_policy_entries (policy_id, action, network) SELECT '" + office
                    + "', 'deny', ('198.51.100.' || i || '/32')::cidr FROM generate_series(1, 50) i");
            s.execute("UPDATE organisations SET audit_mode = 'off' WHERE id = '" + acme + "'");
            assertThat(queryIn(s, "SELECT version FROM policy_versions WHERE org_id = '" + acme + "'"))
                    .as("one version per transaction").isEqualTo(first);
            c.commit();
            assertThat(first).isNotEqualTo(afterPolicy);
        }
        assertThat(version(d, other)).as("another organisation's").isEqualTo(bystander);
        d.update("UPDATE api_tokens SET last_used_at = now()"); // announces nothing, moves nothing
        d.update("UPDATE organisations SET audit_retention_days = 7 WHERE id = ?", other);
        assertThat(version(d, other)).isNotEqualTo(bystander);
    }

    @Test
    void deletingAPolicyOrAnAccountAnnouncesItsOrganisationNotAnUnknownOne() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Cascades");
        UUID beta = f.org("Beta");
        UUID office = f.policy(acme, "office", true, "allow 10.0.0.0/8", "allow 192.0.2.0/24", "deny 10.9.0.0/16");
        UUID betaPolicy = f.policy(beta, "office", true, "allow 172.16.0.0/12");
        UUID ci = f.account(acme, "ci", "service", "member");
        f.token(ci, "gh_cascade_1", null);
        f.token(ci, "gh_cascade_2", null);
        try (Connection listener = d.connect(); Statement s = listener.createStatement()) {
            s.execute("LISTEN gatehouse_policy_changes");
            PGConnection pg = listener.unwrap(PGConnection.class);

            d.update("DELETE FROM network_access_policies WHERE id = ?", office);
            d.update("DELETE FROM accounts WHERE id = ?", ci);
            // an entry moved to another organisation's policy changes both
            f.entry(betaPolicy, "allow 203.0.113.0/24");
            UUID acmePolicy = f.policy(acme, "moved-to", true);
            d.update("UPDATE network_policy_entries SET policy_id = ? WHERE network = '203.0.113.0/24'", acmePolicy);
            long beforeDelete = version(d, beta);
            d.update("DELETE FROM organisations WHERE id = ?", beta);
            d.update("UPDATE organisations SET audit_mode = 'off' WHERE id = ?", acme); // the last: nothing came between

            // the entries and tokens deleted with their policy or account say nothing of their own
            assertThat(first(pg, 9)).containsExactly(
                    "network_access_policies DELETE " + acme,
                    "accounts DELETE " + acme,
                    "network_policy_entries INSERT " + beta,
                    "network_access_policies INSERT " + acme,
                    "network_policy_entries UPDATE " + beta,
                    "network_policy_entries UPDATE " + acme,
                    "organisations DELETE " + beta,
                    "network_access_policies DELETE " + beta,
                    "organisations UPDATE " + acme);
            assertThat(d.queryValue("SELECT count(*) FROM organisations WHERE id = ?", beta)).isEqualTo(0L);
            assertThat(version(d, beta)).as("a tombstone with a last version").isNotEqualTo(beforeDelete).isPositive();
        }
    }

    private static Object queryIn(Statement s, String sql) throws Exception {
        try (var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }
}
