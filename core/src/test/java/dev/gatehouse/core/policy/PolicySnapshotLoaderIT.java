package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

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
}
