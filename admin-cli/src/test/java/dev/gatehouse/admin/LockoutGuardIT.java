package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lockout guard judges the change, not the state after it (issue #17): it refuses only the (admin, address)
 * pairs that the policies allowed before the change and deny after it.
 */
class LockoutGuardIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;
    UUID org;
    UUID ada;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events, global_policy_resets CASCADE");
        Fixtures f = new Fixtures(d);
        org = f.org("Guard2");
        ada = f.account(org, "ada", "member", "admin");
        for (String ip : new String[] {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
            seen(ip);
        }
        // a global allow of 127.0.0.1 only, forced in: .2 and .3 are already locked out
        f.policy(org, "office", true, "allow 127.0.0.1/32");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private void seen(String ip) {
        d.update("INSERT INTO access_events (ts, event_id, org_id, account_id, client_ip, decision)"
                + " VALUES (now() - interval '1 hour', gen_random_uuid(), ?, ?, ?::inet, 'allow')", org, ada, ip);
    }

    private CliRun admin(String... args) {
        return CliRun.of(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--database-url", url)).toArray(String[]::new));
    }

    @Test
    void aChangeThatLetsSomeoneBackInPasses() {
        CliRun r = admin("policy", "update", "--org", "Guard2", "office", "--add-allow", "127.0.0.2/32");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
    }

    @Test
    void aPolicyThatChangesNobodysAccessPassesInALockedOutOrganisation() {
        CliRun r = admin("policy", "create", "--org", "Guard2", "spare", "--allow", "198.51.100.0/24");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
    }

    @Test
    void aChangeThatDeniesAnAddressAllowedBeforeIsRefused() {
        CliRun r = admin("policy", "update", "--org", "Guard2", "office", "--add-deny", "127.0.0.1/32");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("gatehouse-admin: refused: this would deny admins who made allowed requests in the"
                + " last 24 hours from 127.0.0.1 (ada); nothing changed (use --force to do it anyway)\n");
        assertThat(d.queryValue("SELECT count(*) FROM network_policy_entries WHERE action = 'deny'")).isEqualTo(0L);
    }

    @Test
    void aLongRefusalNamesTenAddressesAndJsonGivesThemAll() {
        d.update("DELETE FROM network_access_policies"); // no policy: every address allowed
        for (int i = 10; i < 60; i++) {
            seen("10.9.0." + i);
        }
        CliRun r = admin("policy", "create", "--org", "Guard2", "narrow", "--global", "--allow", "192.0.2.0/24");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("and 43 more (--json lists them all)").hasLineCount(1);
        assertThat(r.err().length()).isLessThan(400);
        assertThat(admin("policy", "create", "--org", "Guard2", "narrow", "--allow", "192.0.2.0/24").code())
                .as("not global, assigned to nobody: changes nobody's access").isEqualTo(0);
        CliRun json = admin("policy", "update", "--org", "Guard2", "narrow", "--global", "true", "--json");
        assertThat(json.code()).isEqualTo(1);
        com.fasterxml.jackson.databind.JsonNode refusal = json.json();
        assertThat(refusal.get("error").asText()).startsWith("refused: this would deny");
        java.util.List<String> locked = new java.util.ArrayList<>();
        refusal.get("locked_out").forEach(l -> locked.add(l.get("account").asText() + " " + l.get("ip").asText()));
        assertThat(locked).as("every address, not the ten of the message").hasSize(53).contains("ada 10.9.0.59");
    }

    /** A reset too: with a policy of her own, a global allow may be all that lets an admin in. */
    @Test
    void aResetThatWouldLockAnAdminOutIsRefused() {
        UUID vpn = new Fixtures(d).policy(org, "vpn", false, "allow 10.0.0.0/8");
        new Fixtures(d).assign(ada, vpn);
        CliRun r = admin("reset-global-policies", "--yes");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("would deny admins").contains("127.0.0.1 (ada)");
        assertThat(d.queryValue("SELECT is_global FROM network_access_policies WHERE name = 'office'")).isEqualTo(true);
        assertThat(admin("reset-global-policies", "--yes", "--force").code()).isEqualTo(0);
    }

    @Test
    void aRestoreThatWouldLockAnAdminOutIsRefused() {
        d.update("UPDATE network_access_policies SET is_global = false, updated_at = now() - interval '1 minute'");
        d.update("INSERT INTO global_policy_resets (org_id, policy_ids, reset_by, reset_at)"
                + " SELECT org_id, array_agg(id), 'test', now() - interval '1 minute' FROM network_access_policies GROUP BY org_id");
        CliRun r = admin("restore-global-policies", "--org", "Guard2", "--yes");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("would deny admins").contains("127.0.0.2 (ada)").contains("127.0.0.3 (ada)");
        assertThat(admin("restore-global-policies", "--org", "Guard2", "--yes", "--force").code()).isEqualTo(0);
    }
}
