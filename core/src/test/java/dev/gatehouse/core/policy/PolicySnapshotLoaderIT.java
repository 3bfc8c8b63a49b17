package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import java.sql.Connection;
import java.time.Instant;
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
}
