package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PolicySnapshotLoaderIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    @Test
    void loadsOrganisationsPoliciesAssignmentsAndTokens() throws Exception {
        Fixtures f = new Fixtures(db.database());
        UUID acme = f.org("Acme");
        UUID other = f.org("Other");
        f.app(acme, "vault");
        UUID alice = f.account(acme, "alice", "member", "admin");
        UUID ci = f.account(acme, "ci", "service", "member");
        UUID office = f.policy(acme, "office", true, "allow 203.0.113.0/24", "deny 203.0.113.66/32");
        UUID runners = f.policy(acme, "runners", false, "allow 198.51.100.0/24");
        f.assign(ci, runners);
        f.policy(other, "other-global", true, "allow 10.0.0.0/8");
        UUID live = f.token(ci, "gh_live_secret", null);
        UUID gone = f.token(alice, "gh_revoked_secret", null);
        f.revoke(gone);
        f.token(alice, "gh_expired_secret", Instant.now().minusSeconds(60));

        PolicySnapshot s;
        try (Connection c = db.database().connect()) {
            s = PolicySnapshotLoader.load(c);
            assertThat(c.getAutoCommit()).as("connection restored").isTrue();
            assertThat(c.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState())
                    .as("the batch's own transaction is over").isEqualTo(org.postgresql.core.TransactionState.IDLE);
            c.setAutoCommit(false);
            assertThatThrownBy(() -> PolicySnapshotLoader.load(c)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("auto-commit");
            assertThat(PolicySnapshotLoader.loadInTransaction(c).org("Acme").id()).isEqualTo(acme);
            c.rollback();
        }
        PolicySnapshot.Org org = s.org("Acme");
        assertThat(org.id()).isEqualTo(acme);
        assertThat(org.appsByName()).containsKey("vault");
        assertThat(org.globalPolicies()).extracting(CompiledPolicy::id).containsExactly(office);
        PolicySnapshot.Account ciAccount = org.accounts().get(ci);
        assertThat(ciAccount.assigned()).extracting(CompiledPolicy::id).containsExactly(runners);

        assertThat(s.decide(org, ciAccount, IpAddress.parse("198.51.100.4")).allowed()).isTrue();
        assertThat(s.decide(org, null, IpAddress.parse("198.51.100.4")).allowed()).isFalse();
        Decision denied = s.decide(org, ciAccount, IpAddress.parse("203.0.113.66"));
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.policyId()).isEqualTo(office);

        PolicySnapshot.Token token = s.token(TokenHash.ofSecret("gh_live_secret"));
        assertThat(token.id()).isEqualTo(live);
        assertThat(token.accountId()).isEqualTo(ci);
        assertThat(token.orgId()).isEqualTo(acme);
        assertThat(token.unusable(Instant.now())).isNull();
        assertThat(s.token(TokenHash.ofSecret("gh_revoked_secret")).unusable(Instant.now())).isEqualTo("revoked");
        assertThat(s.token(TokenHash.ofSecret("gh_expired_secret")).unusable(Instant.now())).isEqualTo("expired");
        assertThat(s.token(TokenHash.ofSecret("nope"))).isNull();
    }

    @Test
    void partialReloadReadsTheNamedOrganisationsAndKeepsTheRest() throws Exception {
        Fixtures f = new Fixtures(db.database());
        UUID acme = f.org("Acme2");
        UUID renamed = f.org("Renamed");
        UUID gone = f.org("Gone");
        UUID untouched = f.org("Untouched");
        UUID office = f.policy(acme, "office", true, "allow 203.0.113.0/24");
        f.policy(untouched, "u", true, "allow 10.0.0.0/8");
        UUID ci = f.account(acme, "ci", "service", "member");
        UUID goneAccount = f.account(gone, "g", "service", "member");
        UUID live = f.token(ci, "gh_partial_live", null);
        f.token(goneAccount, "gh_partial_gone", null);
        PolicySnapshot base;
        try (Connection c = db.database().connect()) {
            base = PolicySnapshotLoader.load(c);
        }

        f.entry(office, "allow 198.51.100.0/24");
        f.revoke(live);
        db.database().update("UPDATE organisations SET name = 'Renamed2' WHERE id = ?", renamed);
        db.database().update("DELETE FROM organisations WHERE id = ?", gone);
        UUID born = f.org("Born");
        UUID untouchedPolicy = (UUID) db.database().queryValue("SELECT id FROM network_access_policies WHERE org_id = ?", untouched);
        f.entry(untouchedPolicy, "allow 192.0.2.0/24"); // a change the partial reload is not told about

        PolicySnapshot partial;
        PolicySnapshot full;
        try (Connection c = db.database().connect()) {
            partial = PolicySnapshotLoader.reload(c, base, java.util.List.of(acme, renamed, gone, born));
            full = PolicySnapshotLoader.load(c);
        }
        assertThat(partial.orgsByName().keySet()).containsExactlyInAnyOrderElementsOf(full.orgsByName().keySet())
                .contains("Renamed2", "Born").doesNotContain("Renamed", "Gone");
        assertThat(partial.orgsById().keySet()).containsExactlyInAnyOrderElementsOf(full.orgsById().keySet());
        assertThat(partial.tokens().keySet()).containsExactlyInAnyOrderElementsOf(full.tokens().keySet());
        assertThat(partial.token(TokenHash.ofSecret("gh_partial_live")).unusable(Instant.now())).isEqualTo("revoked");
        assertThat(partial.token(TokenHash.ofSecret("gh_partial_gone"))).isNull();
        IpAddress added = IpAddress.parse("198.51.100.9");
        assertThat(partial.decide(partial.org(acme), null, added).allowed()).isTrue();
        assertThat(base.decide(base.org(acme), null, added).allowed()).isFalse();

        // an organisation not named keeps its old state, shared with the base snapshot
        assertThat(partial.org(untouched)).isSameAs(base.org(untouched));
        IpAddress untold = IpAddress.parse("192.0.2.1");
        assertThat(partial.decide(partial.org(untouched), null, untold).allowed()).isFalse();
        assertThat(full.decide(full.org(untouched), null, untold).allowed()).isTrue();
    }

    @Test
    void readsWhatEndsSessionsTheBreakGlassAndEachProvidersCallback() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Sessions");
        UUID quiet = f.org("Quiet");
        UUID alice = f.account(acme, "alice", "member", "member");
        UUID bob = f.account(acme, "bob", "member", "member");
        d.update("UPDATE organisations SET sessions_not_before = '2026-01-01T10:00:00Z',"
                + " sso_break_glass_at = '2026-01-02T00:00:00.123456Z' WHERE id = ?", acme);
        d.update("UPDATE accounts SET sessions_not_before = '2026-03-01T10:00:00Z' WHERE id = ?", alice);
        d.update("INSERT INTO sso_revoked_sessions (session_id, org_id, expires_at) VALUES"
                + " ('s-live', ?, now() + interval '1 hour'), ('s-expired', ?, now() - interval '1 second')", acme, acme);
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref, callback_path)"
                + " VALUES (?, 'oidc', 'legacy', 'https://idp.example', 'c', 'env:X', '/.gatehouse/callback'),"
                + " (?, 'oidc', 'fresh', 'https://idp.example', 'c2', 'env:X', NULL)", acme, acme);

        PolicySnapshot s;
        try (Connection c = d.connect()) {
            s = PolicySnapshotLoader.load(c);
        }
        PolicySnapshot.Org org = s.org(acme);
        assertThat(org.sessionsNotBefore()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
        assertThat(org.ssoBreakGlassAt()).isEqualTo(Instant.parse("2026-01-02T00:00:00.123456Z"));
        assertThat(org.ssoBreakGlass()).isTrue();
        assertThat(org.revokedSessions()).as("the expired one is left out").containsExactly("s-live");
        assertThat(org.accounts().get(alice).sessionsNotBefore()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(org.accounts().get(bob).sessionsNotBefore()).isNull();
        PolicySnapshot.Org none = s.org(quiet);
        assertThat(none.sessionsNotBefore()).isNull();
        assertThat(none.ssoBreakGlass()).isFalse();
        assertThat(none.revokedSessions()).as("immutable, shared").isEmpty();
        assertThat(none.revokedSessions()).isSameAs(Set.of());

        Instant feb = Instant.parse("2026-02-01T00:00:00Z");
        assertThat(org.sessionRevoked("s-live", bob, feb)).as("signed out").isTrue();
        assertThat(org.sessionRevoked("s-expired", bob, feb)).as("expired anyway: the session's own expiry refuses it")
                .isFalse();
        assertThat(org.sessionRevoked("s-other", bob, feb)).as("after the organisation's instant").isFalse();
        assertThat(org.sessionRevoked("s-other", bob, Instant.parse("2026-01-01T10:00:00Z"))).as("at it").isTrue();
        assertThat(org.sessionRevoked("s-other", alice, feb)).as("before alice's instant").isTrue();
        assertThat(org.sessionRevoked("s-other", alice, Instant.parse("2026-03-01T10:00:01Z"))).isFalse();
        assertThat(org.sessionRevoked("s-other", UUID.randomUUID(), feb)).as("no such account: the caller's to refuse")
                .isFalse();
        assertThat(org.sessionRevoked(null, null, null)).as("no issue time: revoked when an instant is set").isTrue();
        assertThat(none.sessionRevoked("s-live", null, null)).isFalse();

        List<PolicySnapshot.SsoProvider> providers = org.ssoProviders();
        assertThat(providers).extracting(PolicySnapshot.SsoProvider::name).containsExactly("fresh", "legacy");
        assertThat(providers.get(0).callbackPath()).isNull();
        assertThat(providers.get(0).redirectPath()).isEqualTo("/.gatehouse/callback/" + providers.get(0).id());
        assertThat(providers.get(1).redirectPath()).as("registered with the shared path: keeps it")
                .isEqualTo("/.gatehouse/callback");

        d.update("INSERT INTO sso_revoked_sessions (session_id, org_id, expires_at) VALUES ('s-new', ?,"
                + " now() + interval '1 hour')", acme);
        d.update("UPDATE organisations SET sso_break_glass_at = NULL WHERE id = ?", acme);
        PolicySnapshot reloaded;
        try (Connection c = d.connect()) {
            reloaded = PolicySnapshotLoader.reload(c, s, List.of(acme));
        }
        assertThat(reloaded.org(acme).revokedSessions()).containsExactlyInAnyOrder("s-live", "s-new");
        assertThat(reloaded.org(acme).ssoBreakGlass()).isFalse();
    }

    @Test
    void theStreamedFullLoadReadsWhatTheBatchReadsBothFamiliesIncluded() throws Exception {
        Fixtures f = new Fixtures(db.database());
        UUID mixed = f.org("Mixed");
        f.policy(mixed, "nets", true, "allow 10.0.0.0/8", "allow 0.0.0.0/32", "allow 255.255.255.0/24",
                "allow 2001:db8::/32", "allow ::ffff:192.0.2.0/120", "deny 10.1.0.0/16", "deny 2001:db8:bad::/48");
        f.policy(mixed, "assigned-only", false, "deny 0.0.0.0/0");
        PolicySnapshot streamed;
        PolicySnapshot batched;
        try (Connection c = db.database().connect()) {
            streamed = PolicySnapshotLoader.load(c);
            c.setAutoCommit(false);
            batched = PolicySnapshotLoader.loadInTransaction(c);
            c.rollback();
            c.setAutoCommit(true);
        }
        assertThat(streamed.orgsByName().keySet()).containsExactlyInAnyOrderElementsOf(batched.orgsByName().keySet());
        PolicySnapshot.Org org = streamed.org(mixed);
        assertThat(org.version()).as("V9 gives every organisation a version").isPositive();
        assertThat(org.version()).isEqualTo(batched.org(mixed).version());
        assertThat(streamed.watermark()).as("a full load's watermark").isPositive();
        for (String ip : List.of("10.2.3.4", "10.1.2.3", "0.0.0.0", "0.0.0.1", "255.255.255.255", "2001:db8::1",
                "2001:db8:bad::1", "192.0.2.77", "::ffff:192.0.2.78", "192.0.3.1", "11.0.0.0")) {
            IpAddress a = IpAddress.parse(ip);
            assertThat(streamed.decide(org, null, a)).as(ip).isEqualTo(batched.decide(batched.org(mixed), null, a));
        }
        assertThat(streamed.decide(org, null, IpAddress.parse("192.0.2.77")).allowed()).as("mapped /120 is a /24")
                .isTrue();
        assertThat(streamed.decide(org, null, IpAddress.parse("10.1.2.3")).allowed()).isFalse();
    }

    @Test
    void theVersionCheckReadsNothingWhenNothingMovedAndOnlyWhatMovedOtherwise() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID quiet = f.org("VQuiet");
        UUID busy = f.org("VBusy");
        UUID doomed = f.org("VDoomed");
        UUID busyPolicy = f.policy(busy, "office", true, "allow 203.0.113.0/24");
        f.policy(quiet, "office", true, "allow 198.51.100.0/24");
        try (Connection c = d.connect()) {
            PolicySnapshot s = PolicySnapshotLoader.load(c);

            PolicySnapshotLoader.Refresh idle = PolicySnapshotLoader.refresh(c, s, 64);
            assertThat(idle.reloaded()).isEmpty();
            assertThat(idle.snapshot().orgsById()).as("the same maps, not a copy").isSameAs(s.orgsById());
            assertThat(idle.snapshot().loadedAt()).as("confirmed current now").isAfterOrEqualTo(s.loadedAt());
            assertThat(idle.snapshot().watermark()).isGreaterThanOrEqualTo(s.watermark());

            // what a notification would have announced, as if it had been missed
            f.entry(busyPolicy, "allow 192.0.2.0/24");
            d.update("DELETE FROM organisations WHERE id = ?", doomed);
            UUID born = f.org("VBorn");
            PolicySnapshotLoader.Refresh moved = PolicySnapshotLoader.refresh(c, idle.snapshot(), 64);
            assertThat(moved.reloaded()).containsExactlyInAnyOrder(busy, doomed, born);
            assertThat(moved.full()).isFalse();
            PolicySnapshot after = moved.snapshot();
            assertThat(after.decide(after.org(busy), null, IpAddress.parse("192.0.2.1")).allowed()).isTrue();
            assertThat(after.org(doomed)).as("a deleted organisation's tombstone removes it").isNull();
            assertThat(after.org("VDoomed")).isNull();
            assertThat(after.org(born).name()).isEqualTo("VBorn");
            assertThat(after.org(quiet)).as("untouched, shared").isSameAs(s.org(quiet));

            assertThat(PolicySnapshotLoader.refresh(c, after, 64).reloaded()).as("seen once").isEmpty();

            // a notification's partial reload reads the version: the next check has nothing left to do
            f.entry(busyPolicy, "deny 192.0.2.66/32");
            PolicySnapshot notified = PolicySnapshotLoader.reload(c, after, List.of(busy));
            assertThat(notified.watermark()).as("a partial reload keeps the watermark").isEqualTo(after.watermark());
            assertThat(PolicySnapshotLoader.refresh(c, notified, 64).reloaded()).isEmpty();

            // more than the partial limit: everything is read again
            f.entry(busyPolicy, "deny 192.0.2.67/32");
            d.update("UPDATE organisations SET audit_mode = 'off' WHERE id = ?", quiet);
            PolicySnapshotLoader.Refresh many = PolicySnapshotLoader.refresh(c, notified, 1);
            assertThat(many.full()).isTrue();
            assertThat(many.snapshot().org(quiet).auditMode()).isEqualTo(AuditMode.OFF);
        }
    }

    @Test
    void aPartialReloadKeepsEveryOtherOrganisationAndToken() throws Exception {
        Fixtures f = new Fixtures(db.database());
        List<UUID> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ids.add(f.org("Shard" + i));
        }
        UUID ci = f.account(ids.get(0), "ci", "service", "member");
        f.token(ci, "gh_shard_token", null);
        UUID other = f.account(ids.get(1), "ci", "service", "member");
        f.token(other, "gh_shard_other", null);
        try (Connection c = db.database().connect()) {
            PolicySnapshot base = PolicySnapshotLoader.load(c);
            db.database().update("UPDATE api_tokens SET revoked_at = now() WHERE account_id = ?", ci);
            PolicySnapshot next = PolicySnapshotLoader.reload(c, base, List.of(ids.get(0)));
            int shared = 0;
            for (UUID id : ids.subList(1, ids.size())) {
                shared += next.org(id) == base.org(id) ? 1 : 0;
            }
            assertThat(shared).isEqualTo(ids.size() - 1);
            assertThat(next.orgsById()).hasSameSizeAs(base.orgsById());
            assertThat(next.token(TokenHash.ofSecret("gh_shard_token")).unusable(Instant.now())).isEqualTo("revoked");
            assertThat(next.token(TokenHash.ofSecret("gh_shard_other"))).isSameAs(base.token(TokenHash.ofSecret("gh_shard_other")));
            assertThat(next.tokens()).hasSameSizeAs(base.tokens());
        }
    }
}
