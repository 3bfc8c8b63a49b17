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
}
