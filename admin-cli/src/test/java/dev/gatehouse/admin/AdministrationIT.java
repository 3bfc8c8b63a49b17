package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.TokenHash;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Everyday administration through the CLI against a real PostgreSQL. */
class AdministrationIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;

    @BeforeEach
    void clean() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private CliRun admin(String... args) {
        return CliRun.of(Stream.concat(Arrays.stream(args), Stream.of("--database-url", url, "--actor", "ops"))
                .toArray(String[]::new));
    }

    private long count(String table) {
        return (Long) d.queryValue("SELECT count(*) FROM " + table);
    }

    @Test
    void createCommandsSayWhatTheyMadeOrGiveTheIdOrJson() {
        assertThat(admin("org", "create", "Shapes").out()).matches("Created organisation Shapes \\(id [0-9a-f-]{36}\\)\\.\n");
        String id = admin("app", "create", "--org", "Shapes", "web", "--quiet").out();
        assertThat(id).as("--quiet: the id alone").matches("[0-9a-f-]{36}\n");
        assertThat(d.queryValue("SELECT name FROM apps WHERE id = ?::uuid", id.strip())).isEqualTo("web");
        CliRun json = admin("account", "create", "--org", "Shapes", "bob", "--json");
        assertThat(json.values("name")).containsExactly("bob");
        assertThat(json.values("org")).containsExactly("Shapes");
        assertThat(json.values("kind")).containsExactly("account");
        assertThat(admin("policy", "create", "--org", "Shapes", "p", "--allow", "192.0.2.0/24").out())
                .startsWith("Created policy p in Shapes (id ");
        assertThat(admin("app", "create", "--org", "Shapes", "x", "--json", "--quiet").code()).isEqualTo(2);
    }

    @Test
    void entriesCoveringAWholeAddressFamilyAreWarnedAbout() {
        assertThat(admin("org", "create", "Acme").code()).isZero();
        CliRun v6 = admin("policy", "create", "--org", "Acme", "everyone-v6", "--allow", "::/0");
        assertThat(v6.code()).as("warned, not refused").isZero();
        assertThat(v6.err()).contains("warning: allow ::/0 covers every IPv6 client and no IPv4 one");
        CliRun v4 = admin("policy", "update", "--org", "Acme", "everyone-v6", "--add-allow", "0.0.0.0/0", "--add-deny", "::/0");
        assertThat(v4.code()).isZero();
        assertThat(v4.err()).contains("warning: allow 0.0.0.0/0 allows every IPv4 client")
                .contains("warning: deny ::/0 denies every IPv6 client");
        assertThat(admin("policy", "create", "--org", "Acme", "office", "--allow", "203.0.113.0/24").err())
                .as("an ordinary network: no warning").isEmpty();
    }

    @Test
    void organisationsAppsAccountsTokensAndPolicies() {
        CliRun org = admin("org", "create", "Acme", "--retention-days", "90");
        assertThat(org.out()).matches("Created organisation Acme \\(id [0-9a-f-]{36}\\)\\.\n");
        assertThat(admin("app", "create", "--org", "Acme", "vault").code()).isEqualTo(0);
        assertThat(admin("account", "create", "--org", "Acme", "alice", "--role", "admin", "--email", "alice@acme.test").code()).isEqualTo(0);
        assertThat(admin("account", "create", "--org", "Acme", "ci", "--kind", "service").code()).isEqualTo(0);
        assertThat(admin("org", "list").out()).containsPattern("Acme\\s+[0-9a-f-]{36}\\s+false\\s+90\\s+full\\s+1\\s+2\\s+0");
        com.fasterxml.jackson.databind.JsonNode accounts = admin("account", "list", "--org", "Acme", "--json").json();
        assertThat(accounts.get(0).get("name").asText()).isEqualTo("alice");
        assertThat(accounts.get(0).get("kind").asText()).isEqualTo("member");
        assertThat(accounts.get(0).get("role").asText()).isEqualTo("admin");

        CliRun token = admin("token", "create", "--org", "Acme", "ci", "--name", "deploy", "--expires-in-days", "30");
        assertThat(token.code()).isEqualTo(0);
        String secret = token.out().strip();
        assertThat(secret).matches("gh_[0-9A-Za-z]{40}");
        assertThat(token.err()).contains("the secret above is not stored");
        assertThat(d.queryValue("SELECT count(*) FROM api_tokens WHERE token_hash = ?", (Object) TokenHash.sha256(secret)))
                .as("only the hash is stored").isEqualTo(1L);
        assertThat(admin("token", "list", "--org", "Acme").out()).contains(secret.substring(0, 10)).doesNotContain(secret);
        CliRun revoked = admin("token", "revoke", "--org", "Acme", secret.substring(0, 10), "--yes", "--json");
        assertThat(revoked.code()).as("--yes, as a script passes it to every change").isZero();
        assertThat(revoked.values("prefix")).containsExactly(secret.substring(0, 10));
        assertThat(admin("token", "revoke", "--org", "Acme", secret.substring(0, 10)).code()).isEqualTo(1);

        CliRun policy = admin("policy", "create", "--org", "Acme", "office", "--global", "--allow", "203.0.113.0/24,2001:db8:1::/48",
                "--deny", "203.0.113.66");
        assertThat(policy.code()).as(policy.err()).isEqualTo(0);
        assertThat(admin("policy", "create", "--org", "Acme", "runners", "--allow", "198.51.100.0/24").code()).isEqualTo(0);
        assertThat(admin("policy", "assign", "--org", "Acme", "ci", "runners").out()).isEqualTo("Assigned 'runners' to 'ci'\n");
        assertThat(admin("policy", "show", "--org", "Acme", "office").out())
                .contains("allow:       203.0.113.0/24 2001:db8:1::/48").contains("deny:        203.0.113.66/32");

        CliRun allowed = admin("policy", "check", "--org", "Acme", "--account", "ci", "--ip", "198.51.100.7");
        assertThat(allowed.code()).isEqualTo(0);
        assertThat(allowed.out()).startsWith("allow: allowed by policy 'runners'")
                .contains("runners (assigned): allow 198.51.100.0/24");
        CliRun denied = admin("policy", "check", "--org", "Acme", "--ip", "203.0.113.66");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.out()).startsWith("deny: denied by policy 'office'").contains("office (global): allow 203.0.113.0/24, deny 203.0.113.66/32");

        CliRun updated = admin("policy", "update", "--org", "Acme", "office", "--remove", "203.0.113.66");
        assertThat(updated.code()).isEqualTo(0);
        assertThat(updated.out()).as("what was done, then the policy as it now is")
                .startsWith("Updated policy office of Acme: removed 203.0.113.66/32.\n\nname:        office\n")
                .contains("deny:        -\n");
        assertThat(admin("policy", "check", "--org", "Acme", "--ip", "203.0.113.66").code()).isEqualTo(0);
        assertThat(admin("policy", "delete", "--org", "Acme", "runners", "--yes").code()).isEqualTo(0);
        assertThat(admin("policy", "list", "--org", "Acme", "--json").values("name")).contains("office").doesNotContain("runners");
        assertThat(count("admin_actions")).as("one row per change").isEqualTo(11L);
    }

    @Test
    void lockoutGuardRefusesToDenyAnAdminsRecentAddress() {
        admin("org", "create", "Acme");
        admin("account", "create", "--org", "Acme", "alice", "--role", "admin");
        UUID org = (UUID) d.queryValue("SELECT id FROM organisations");
        UUID alice = (UUID) d.queryValue("SELECT id FROM accounts");
        d.update("INSERT INTO access_events (ts, event_id, org_id, account_id, client_ip, decision, status)"
                + " VALUES (now() - interval '1 hour', gen_random_uuid(), ?, ?, '192.0.2.10', 'allow', 200)", org, alice);
        CliRun refused = admin("policy", "create", "--org", "Acme", "office", "--global", "--allow", "203.0.113.0/24");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("gatehouse-admin: refused: this would deny admins who made allowed requests in the"
                + " last 24 hours from 192.0.2.10 (alice); nothing changed (use --force to do it anyway)\n");
        assertThat(count("network_access_policies")).isZero();
        assertThat(admin("policy", "create", "--org", "Acme", "office", "--global", "--allow", "203.0.113.0/24,192.0.2.10").code())
                .as("including the admin's address is fine").isEqualTo(0);
        assertThat(admin("policy", "update", "--org", "Acme", "office", "--remove", "192.0.2.10").code()).isEqualTo(1);
        assertThat(admin("policy", "update", "--org", "Acme", "office", "--remove", "192.0.2.10", "--force").code()).isEqualTo(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "org create without a name | 2 | org create | Missing required parameter: 'NAME'",
            "negative retention | 2 | org create X --retention-days -1 | --retention-days must be 0 or more, got -1",
            "unknown org for app | 1 | app create --org Nope vault | no organisation named 'Nope'",
            "bad account kind | 2 | account create --org Acme bob --kind robot | Invalid value for option '--kind'",
            "bad email | 2 | account create --org Acme bob --email nope | --email: 'nope' is not an email address",
            "duplicate account | 1 | account create --org Acme alice | account 'alice' in organisation 'Acme' already exists",
            "token for unknown account | 1 | token create --org Acme nobody | organisation 'Acme' has no account named 'nobody'",
            "token zero days | 2 | token create --org Acme alice --expires-in-days 0 | --expires-in-days must be at least 1, got 0",
            "host bits set | 2 | policy create --org Acme p --allow 10.0.0.1/8 | --allow: '10.0.0.1/8' is not a valid address: host bits set; the network is 10.0.0.0/8",
            "malformed cidr | 2 | policy create --org Acme p --deny 300.1.1.1 | --deny: '300.1.1.1' is not a valid address: IPv4 octet out of range",
            "hostname | 2 | policy create --org Acme p --allow example.com | --allow: 'example.com' is not a valid address: a hostname, not an IP address",
            "duplicate policy | 1 | policy create --org Acme existing | policy 'existing' in organisation 'Acme' already exists",
            "update nothing | 2 | policy update --org Acme existing | nothing to change",
            "remove missing entry | 1 | policy update --org Acme existing --remove 10.9.9.0/24 | policy 'existing' has no entry 10.9.9.0/24",
            "delete without yes | 2 | policy delete --org Acme existing | add --yes to confirm",
            "assign unknown policy | 1 | policy assign --org Acme alice nope | organisation 'Acme' has no policy named 'nope'",
            "check bad ip | 2 | policy check --org Acme --ip 1.2.3 | --ip: '1.2.3' is not a valid address",
            "no subcommand | 2 | policy | a subcommand is required",
    })
    void badInputIsOneLineAndChangesNothing(String what, int code, String args, String message) {
        admin("org", "create", "Acme");
        admin("account", "create", "--org", "Acme", "alice");
        admin("policy", "create", "--org", "Acme", "existing", "--allow", "10.0.0.0/8");
        long actions = count("admin_actions");
        long policies = count("network_access_policies");
        long entries = count("network_policy_entries");
        CliRun r = what.equals("no subcommand") ? CliRun.of(args.split(" ")) : admin(args.split(" "));
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err()).startsWith("gatehouse-admin: ").contains(message);
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(count("admin_actions")).isEqualTo(actions);
        assertThat(count("network_access_policies")).isEqualTo(policies);
        assertThat(count("network_policy_entries")).isEqualTo(entries);
    }
}
