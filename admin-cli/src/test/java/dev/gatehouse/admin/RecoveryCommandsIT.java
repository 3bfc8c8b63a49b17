package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lockout recoveries against a real PostgreSQL: output, exit codes and what the database holds after. */
class RecoveryCommandsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;
    UUID office;
    UUID vpn;
    UUID optional;
    UUID other;

    @BeforeEach
    void rows() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, global_policy_resets CASCADE");
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Acme");
        UUID beta = f.org("Beta");
        office = f.policy(acme, "office", true, "allow 203.0.113.0/24");
        vpn = f.policy(acme, "vpn", true, "allow 198.51.100.0/24");
        optional = f.policy(acme, "optional", false, "allow 192.0.2.0/24");
        other = f.policy(beta, "beta-office", true, "allow 10.0.0.0/8");
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                + " VALUES (?, 'oidc', 'Okta', 'https://acme.okta.example', 'gatehouse', 'env:OKTA_SECRET'),"
                + " (?, 'saml', 'ADFS', NULL, NULL, NULL)", acme, acme);
        d.update("UPDATE organisations SET require_sso = true WHERE id = ?", acme);
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private CliRun admin(String... args) {
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--database-url", url, "--actor", "oncall")).toArray(String[]::new);
        return CliRun.of(full);
    }

    private boolean global(UUID policy) {
        return (Boolean) d.queryValue("SELECT is_global FROM network_access_policies WHERE id = ?", policy);
    }

    @Test
    void dryRunListsAndChangesNothing() {
        CliRun r = admin("reset-global-policies", "--org", "Acme", "--dry-run");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).startsWith("Would turn off 2 global policies:").contains("office").contains("vpn").doesNotContain("optional");
        assertThat(global(office)).isTrue();
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(0L);
    }

    @Test
    void resetNeedsYesWhenNotOnATerminal() {
        CliRun r = admin("reset-global-policies", "--org", "Acme");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("gatehouse-admin: This turns off the global network policies of organisation 'Acme';"
                + " add --yes to confirm when not running on a terminal");
        assertThat(global(office)).isTrue();
    }

    @Test
    void resetThenRestoreTurnsBackOnExactlyWhatWasOn() {
        CliRun reset = admin("reset-global-policies", "--org", "Acme", "--yes");
        assertThat(reset.code()).isEqualTo(0);
        assertThat(reset.out()).startsWith("Turned off 2 global policies");
        assertThat(global(office)).isFalse();
        assertThat(global(vpn)).isFalse();
        assertThat(global(other)).as("another organisation untouched").isTrue();
        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || target FROM admin_actions"))
                .isEqualTo("oncall reset-global-policies Acme");
        assertThat((String) d.queryValue("SELECT after::text FROM admin_actions")).contains(office.toString()).contains(vpn.toString());

        // the restore turns on what the reset turned off, and nothing else: optional was never global
        CliRun dry = admin("restore-global-policies", "--org", "Acme", "--dry-run");
        assertThat(dry.out()).startsWith("Would turn back on 2 global policies:");
        assertThat(global(office)).as("a dry run changes nothing").isFalse();
        assertThat(admin("restore-global-policies", "--org", "Acme").code()).as("--yes off a terminal").isEqualTo(2);
        CliRun restore = admin("restore-global-policies", "--org", "Acme", "--json", "--yes");
        assertThat(restore.code()).isEqualTo(0);
        java.util.List<String> restored = new java.util.ArrayList<>();
        restore.json().get("restored").forEach(p -> restored.add(p.get("policy").asText()));
        assertThat(restored).containsExactlyInAnyOrder("office", "vpn");
        assertThat(global(office)).isTrue();
        assertThat(global(vpn)).isTrue();
        assertThat(global(optional)).isFalse();
        assertThat(admin("restore-global-policies", "--org", "Acme", "--yes").err())
                .isEqualTo("gatehouse-admin: no reset of global policies to restore for organisation 'Acme'"
                        + " (none, or its part was restored already)\n");
    }

    @Test
    void resetOfAllOrganisationsIsRestoredOrganisationByOrganisation() {
        assertThat(admin("reset-global-policies", "--yes").out()).startsWith("Turned off 3 global policies");
        assertThat(admin("restore-global-policies", "--org", "Beta", "--yes").code()).isEqualTo(0);
        assertThat(global(other)).isTrue();
        assertThat(global(office)).isFalse();
        assertThat(admin("restore-global-policies", "--org", "Acme", "--yes").code()).isEqualTo(0);
        assertThat(global(office)).isTrue();
        assertThat(d.queryValue("SELECT count(*) FROM global_policy_resets WHERE restored_at IS NULL")).isEqualTo(0L);
    }

    /**
     * The operator's sequence of issue #17: reset everyone, restore Acme, deliberately turn Acme's office off again,
     * restore the others — and a second restore of Acme must not turn office back on.
     */
    @Test
    void eachOrganisationsPartOfAResetIsRestoredAtMostOnce() {
        assertThat(admin("reset-global-policies", "--yes").code()).isEqualTo(0);
        assertThat(admin("restore-global-policies", "--org", "Acme", "--yes").code()).isEqualTo(0);
        assertThat(global(office)).isTrue();
        d.update("UPDATE network_access_policies SET is_global = false, updated_at = now() WHERE id = ?", office);
        assertThat(admin("restore-global-policies", "--org", "Beta", "--yes").code()).isEqualTo(0);

        CliRun again = admin("restore-global-policies", "--org", "Acme", "--yes");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("its part was restored already");
        assertThat(global(office)).as("left off, as the operator set it").isFalse();
        assertThat(global(vpn)).isTrue();
    }

    /** A policy changed after the reset is the operator's now: the restore leaves it, and says why. */
    @Test
    void aRestoreSkipsAPolicyChangedSinceTheReset() throws Exception {
        assertThat(admin("reset-global-policies", "--org", "Acme", "--yes").code()).isEqualTo(0);
        Thread.sleep(5); // a later now()
        assertThat(admin("policy", "update", "--org", "Acme", "vpn", "--add-allow", "192.0.2.0/24").code()).isEqualTo(0);
        CliRun restore = admin("restore-global-policies", "--org", "Acme", "--yes");
        assertThat(restore.code()).as(restore.err()).isEqualTo(0);
        assertThat(restore.out()).startsWith("Turned back on 1 global policy:").contains("office")
                .contains("Left as they are (1):").contains("vpn").contains("changed since the reset (by oncall at");
        assertThat(global(office)).isTrue();
        assertThat(global(vpn)).isFalse();
    }

    @Test
    void unknownOrganisationIsAFailureAndChangesNothing() {
        CliRun r = admin("reset-global-policies", "--org", "Nope", "--yes");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("gatehouse-admin: no organisation named 'Nope'\n");
        assertThat(d.queryValue("SELECT count(*) FROM network_access_policies WHERE is_global")).isEqualTo(3L);
        assertThat(admin("restore-global-policies").code()).as("--org is required").isEqualTo(2);
    }

    @Test
    void ssoShowDisableEnforcementAndProviders() {
        CliRun show = admin("disable-org-sso", "--org", "Acme", "--show");
        assertThat(show.code()).isEqualTo(0);
        assertThat(show.out()).contains("require_sso:  true").contains("break-glass:  off")
                .as("with each provider's health: this one's issuer does not resolve")
                .containsPattern("Okta\\s+true\\s+https://acme\\.okta\\.example\\s+false\\s+0\\s+\\S*\\s*discovery document unreachable")
                .containsPattern("ADFS\\s+true\\s+\\S*\\s+false\\s+0\\s+.*no issuer configured");
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(0L);

        CliRun enforcement = admin("disable-org-sso", "--org", "Acme", "--disable-enforcement", "--yes");
        assertThat(enforcement.code()).isEqualTo(0);
        assertThat(enforcement.out()).startsWith("require_sso turned off.\n").contains("require_sso:  false")
                .containsPattern("break-glass:  on since \\S+Z: every route is served without sign-in, sso = required"
                        + " ones too, until `gatehouse-admin sso require --org Acme`")
                .containsPattern("Okta\\s+oidc\\s+true");
        Object since = d.queryValue("SELECT sso_break_glass_at FROM organisations WHERE name = 'Acme'");
        assertThat(since).as("the break-glass: sso = required routes are freed too").isNotNull();
        assertThat(d.queryValue("SELECT sso_break_glass_at FROM organisations WHERE name = 'Beta'")).isNull();
        assertThat(admin("disable-org-sso", "--org", "Acme", "--disable-enforcement", "--yes").out())
                .as("says what already was so").startsWith("require_sso was already false.\n");
        assertThat(d.queryValue("SELECT sso_break_glass_at FROM organisations WHERE name = 'Acme'"))
                .as("since the first time").isEqualTo(since);
        assertThat(d.queryValue("SELECT count(*) FROM sso_providers WHERE enabled")).isEqualTo(2L);

        CliRun providers = admin("disable-org-sso", "--org", "Acme", "--disable-providers", "--yes", "--json");
        assertThat(providers.json().get("require_sso").asBoolean()).isFalse();
        assertThat(java.time.Instant.parse(providers.json().get("sso_break_glass_at").asText()))
                .isEqualTo(((java.sql.Timestamp) since).toInstant());
        assertThat(providers.json().get("providers")).hasSize(2).allMatch(p -> !p.get("enabled").asBoolean());
        assertThat(d.queryValue("SELECT count(*) FROM sso_providers")).as("disabled, not deleted").isEqualTo(2L);
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions WHERE command LIKE 'disable-org-sso%'")).isEqualTo(3L);
        assertThat(admin("disable-org-sso", "--org", "Acme", "--disable-providers", "--yes").out())
                .startsWith("require_sso was already false.\nEvery provider was already disabled.\n");
    }

    @Test
    void ssoUsageAndUnknownOrganisation() {
        assertThat(admin("disable-org-sso", "--org", "Acme").code()).as("a mode is required").isEqualTo(2);
        assertThat(admin("disable-org-sso", "--org", "Acme", "--show", "--disable-providers").code()).isEqualTo(2);
        CliRun unknown = admin("disable-org-sso", "--org", "Nope", "--disable-enforcement", "--yes");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("gatehouse-admin: no organisation named 'Nope'\n");
        assertThat(admin("disable-org-sso", "--org", "Acme", "--disable-enforcement").code()).as("needs --yes").isEqualTo(2);
        assertThat(d.queryValue("SELECT require_sso FROM organisations WHERE name = 'Acme'")).isEqualTo(true);
        assertThat(d.queryValue("SELECT count(*) FROM organisations WHERE sso_break_glass_at IS NOT NULL")).isEqualTo(0L);
    }

    @Test
    void disablingProvidersIsABreakGlassToo() {
        assertThat(admin("disable-org-sso", "--org", "Acme", "--disable-providers", "--yes").code()).isZero();
        assertThat(d.queryValue("SELECT sso_break_glass_at IS NOT NULL FROM organisations WHERE name = 'Acme'"))
                .isEqualTo(true);
        assertThat(d.queryValue("SELECT after->>'sso_break_glass_at' IS NOT NULL AND before->>'sso_break_glass_at' IS NULL"
                + " FROM admin_actions WHERE command = 'disable-org-sso --disable-providers'")).isEqualTo(true);
    }
}
