package dev.gatehouse.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Ending sign-in sessions: revoked by an operator, or signed out, as every gateway's snapshot then reads it. */
class SsoSessionsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    UUID acme;
    UUID alice;

    @BeforeEach
    void setUp() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions CASCADE");
        Fixtures f = new Fixtures(d);
        acme = f.org("Acme");
        alice = f.account(acme, "alice", "member", "admin");
        f.account(acme, "bob", "member", "member");
        f.account(acme, "ci", "service", "member");
        f.org("Other");
    }

    private PolicySnapshot snapshot() throws Exception {
        try (Connection c = d.connect()) {
            return PolicySnapshotLoader.load(c);
        }
    }

    private Instant dbNow() {
        return ((java.sql.Timestamp) d.queryValue("SELECT now()")).toInstant();
    }

    @Test
    void revokingAnAccountEndsTheSessionsItHadAndNotTheOnesAfter() throws Exception {
        Instant earlier = dbNow();
        SsoSessions.Revocation r = new SsoSessions(d.dataSource(), "ops").revoke("Acme", "alice");
        assertThat(r.org()).isEqualTo("Acme");
        assertThat(r.account()).isEqualTo("alice");
        assertThat(r.memberAccounts()).isEqualTo(1);
        assertThat(r.sessionsNotBefore()).isAfterOrEqualTo(earlier).isBeforeOrEqualTo(dbNow());

        PolicySnapshot.Org org = snapshot().org(acme);
        assertThat(org.accounts().get(alice).sessionsNotBefore()).isEqualTo(r.sessionsNotBefore());
        assertThat(org.sessionsNotBefore()).as("only alice's").isNull();
        assertThat(org.sessionRevoked("s", alice, earlier)).isTrue();
        assertThat(org.sessionRevoked("s", alice, r.sessionsNotBefore().plusMillis(1))).as("a sign-in after it").isFalse();
        UUID bob = (UUID) d.queryValue("SELECT id FROM accounts WHERE name = 'bob'");
        assertThat(org.sessionRevoked("s", bob, earlier)).isFalse();

        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || target || ' ' || (after->>'member_accounts')"
                + " || ' ' || coalesce(before::text, 'null') FROM admin_actions")).isEqualTo("ops sso revoke Acme/alice 1 null");
        SsoSessions.Revocation again = new SsoSessions(d.dataSource(), "ops").revoke("Acme", "alice");
        assertThat(again.sessionsNotBefore()).isAfter(r.sessionsNotBefore());
        assertThat(d.queryValue("SELECT (before->>'sessions_not_before')::timestamptz FROM admin_actions ORDER BY id DESC"
                + " LIMIT 1")).as("the instant it replaced").isNotNull();
    }

    @Test
    void revokingAllEndsEveryAccountsSessionsOfThatOrganisationOnly() throws Exception {
        Instant earlier = dbNow();
        SsoSessions.Revocation r = new SsoSessions(d.dataSource(), "ops").revoke("Acme", null);
        assertThat(r.account()).isNull();
        assertThat(r.memberAccounts()).as("alice and bob; ci is a service account").isEqualTo(2);
        PolicySnapshot s = snapshot();
        assertThat(s.org(acme).sessionsNotBefore()).isEqualTo(r.sessionsNotBefore());
        assertThat(s.org(acme).sessionRevoked("s", alice, earlier)).isTrue();
        assertThat(s.org("Other").sessionsNotBefore()).isNull();
        assertThat(d.queryValue("SELECT target FROM admin_actions WHERE command = 'sso revoke'")).isEqualTo("Acme");
    }

    @Test
    void anUnknownOrganisationOrAccountChangesNothing() {
        SsoSessions s = new SsoSessions(d.dataSource(), "ops");
        assertThatThrownBy(() -> s.revoke("Nope", null)).isInstanceOf(NotFound.class)
                .hasMessage("no organisation named 'Nope'");
        assertThatThrownBy(() -> s.revoke("Acme", "mallory")).isInstanceOf(NotFound.class)
                .hasMessage("organisation 'Acme' has no account named 'mallory'");
        assertThat(s.revoke("Acme", "ci").memberAccounts()).as("any kind may be revoked; a service account never signs in")
                .isZero();
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(1L);
    }

    @Test
    void aSignedOutSessionIsRefusedUntilItExpiresAndIsForgottenAnHourAfter() throws Exception {
        Instant now = dbNow();
        SsoSessions.signedOut(d.dataSource(), acme, "sess-1", now.plus(Duration.ofHours(8)));
        SsoSessions.signedOut(d.dataSource(), acme, "sess-1", now.plus(Duration.ofHours(8))); // twice: no error
        d.update("INSERT INTO sso_revoked_sessions (session_id, org_id, expires_at) VALUES"
                + " ('long-gone', ?, now() - interval '61 minutes'), ('just-expired', ?, now() - interval '59 minutes')",
                acme, acme);
        try (Connection c = d.connect()) {
            SsoSessions.signedOut(c, acme, "sess-2", now.plus(Duration.ofMinutes(5)));
        }
        assertThat(d.queryValue("SELECT string_agg(session_id, ',' ORDER BY session_id) FROM sso_revoked_sessions"))
                .as("the one expired over an hour ago is deleted").isEqualTo("just-expired,sess-1,sess-2");
        assertThat(d.queryValue("SELECT expires_at FROM sso_revoked_sessions WHERE session_id = 'sess-1'"))
                .as("stored as the instant given, whatever the JVM's zone")
                .isEqualTo(java.sql.Timestamp.from(now.plus(Duration.ofHours(8))));

        PolicySnapshot.Org org = snapshot().org(acme);
        assertThat(org.revokedSessions()).containsExactlyInAnyOrder("sess-1", "sess-2");
        assertThat(org.sessionRevoked("sess-1", alice, now)).isTrue();
        assertThat(org.sessionRevoked("sess-3", alice, now)).isFalse();
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).as("a gateway's, not an operator's").isEqualTo(0L);
    }
}
