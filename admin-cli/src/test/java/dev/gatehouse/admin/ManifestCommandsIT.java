package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code apply -f} and {@code export}: policy as code, declarative, all or nothing, guarded. */
class ManifestCommandsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    TestDatabase d;
    Fixtures f;
    String url;
    UUID acme;
    UUID ci;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        f = new Fixtures(d);
        acme = f.org("Acme");
        f.app(acme, "vault");
        UUID office = f.policy(acme, "office", true, "allow 203.0.113.0/24", "allow 2001:db8:1::/48",
                "deny 203.0.113.66/32");
        d.update("UPDATE network_access_policies SET description = 'the office: name: \"HQ\"' WHERE id = ?", office);
        UUID runners = f.policy(acme, "runners", false, "allow 198.51.100.0/24");
        ci = f.account(acme, "ci", "service", "member");
        f.account(acme, "alice", "member", "admin");
        f.assign(ci, runners);
        f.org("Empty");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private CliRun admin(String... args) {
        return CliRun.of(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--database-url", url, "--actor", "gitops")).toArray(String[]::new));
    }

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private long count(String sql, Object... args) {
        return (Long) d.queryValue(sql, args);
    }

    @Test
    void exportThenApplyChangesNothingInYamlAndInJson() throws Exception {
        CliRun yaml = admin("export");
        assertThat(yaml.code()).as(yaml.err()).isZero();
        assertThat(yaml.out()).contains("- name: Acme").contains("203.0.113.0/24").contains("- 2001:db8:1::/48")
                .contains("- name: Empty");
        CliRun again = admin("apply", "-f", file("fleet.yaml", yaml.out()).toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("No changes: the database is as the file says.\n");
        assertThat(count("SELECT count(*) FROM admin_actions")).as("nothing to record").isZero();

        CliRun json = admin("export", "--json");
        assertThat(json.json().get("organisations").get(0).get("policies").get(0).get("deny").get(0).asText())
                .isEqualTo("203.0.113.66/32");
        CliRun fromJson = admin("apply", "-f", file("fleet.json", json.out()).toString(), "--json");
        assertThat(fromJson.code()).as(fromJson.err()).isZero();
        assertThat(fromJson.json().get("changes")).isEmpty();
        assertThat(admin("export").out()).as("a second export is the same text").isEqualTo(yaml.out());

        CliRun one = admin("export", "--org", "Acme");
        assertThat(one.out()).contains("- name: Acme").doesNotContain("Empty");
        assertThat(admin("export", "--org", "Nope").err()).isEqualTo("gatehouse-admin: no organisation named 'Nope'\n");
    }

    @Test
    void appliesWhatTheFileSaysPrintsTheDiffAndRecordsIt() throws Exception {
        Path fleet = file("fleet.yaml", """
                organisations:
                  - name: Acme
                    apps: [vault, wiki]
                    policies:
                      - name: office
                        global: false
                        allow: [203.0.113.0/24, 192.0.2.0/24]
                        deny: ['2001:db8:bad::/48']
                      - name: runners
                        allow: [198.51.100.0/24]
                    accounts:
                      - name: ci
                        policies: [office]
                  - name: Beta
                    apps: [shop]
                    policies:
                      - name: all
                        global: true
                        description: everyone, from anywhere
                        allow: [0.0.0.0/0, '::/0']
                """);
        CliRun dry = admin("apply", "-f", fleet.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).isEqualTo("""
                + app Acme/wiki
                ~ policy Acme/office: not global, description, +allow 192.0.2.0/24, -allow 2001:db8:1::/48, +deny 2001:db8:bad::/48, -deny 203.0.113.66/32
                ~ account Acme/ci: +office, -runners
                + organisation Beta
                + app Beta/shop
                + policy Beta/all: global, description, +allow 0.0.0.0/0, +allow ::/0
                Would apply (nothing changed): 4 added, 2 changed, 0 removed.
                """);
        assertThat(count("SELECT count(*) FROM organisations WHERE name = 'Beta'")).as("a dry run").isZero();

        CliRun applied = admin("apply", "-f", fleet.toString(), "--json");
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.json().get("applied").asBoolean()).isTrue();
        assertThat(applied.json().get("added").asInt()).isEqualTo(4);
        assertThat(d.queryValue("SELECT string_agg(e.action || ' ' || e.network::text, ', ' ORDER BY e.action, e.network)"
                + " FROM network_policy_entries e JOIN network_access_policies p ON p.id = e.policy_id"
                + " WHERE p.org_id = ? AND p.name = 'office'", acme))
                .isEqualTo("allow 192.0.2.0/24, allow 203.0.113.0/24, deny 2001:db8:bad::/48");
        assertThat(d.queryValue("SELECT is_global::text || coalesce(description, '-') FROM network_access_policies"
                + " WHERE org_id = ? AND name = 'office'", acme)).isEqualTo("false-");
        assertThat(d.queryValue("SELECT string_agg(p.name, ',') FROM account_network_policies ap"
                + " JOIN network_access_policies p ON p.id = ap.policy_id WHERE ap.account_id = ?", ci)).isEqualTo("office");
        assertThat(d.queryValue("SELECT count(*) FROM apps a JOIN organisations o ON o.id = a.org_id WHERE o.name = 'Beta'"))
                .isEqualTo(1L);
        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || target || ' ' || (after->>'added')"
                + " || ' ' || (after->'organisations')::text FROM admin_actions"))
                .isEqualTo("gitops apply " + fleet + " 4 [\"Acme\", \"Beta\"]");
        assertThat(admin("apply", "-f", fleet.toString()).out()).startsWith("No changes");
    }

    @Test
    void pruneRemovesWhatTheFileNoLongerNamesAfterAskingAndLeavesTheRestWithoutIt() throws Exception {
        Path fleet = file("acme-only.yaml", """
                organisations:
                  - name: Acme
                    policies:
                      - name: runners
                        allow: [198.51.100.0/24]
                """);
        CliRun plain = admin("apply", "-f", fleet.toString());
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.out()).as("without --prune nothing goes").startsWith("No changes");

        CliRun unconfirmed = admin("apply", "-f", fleet.toString(), "--prune");
        assertThat(unconfirmed.code()).isEqualTo(2);
        assertThat(unconfirmed.err()).startsWith("gatehouse-admin: This deletes what " + fleet + " does not name:"
                + " 1 organisation, 1 app, 1 policy; add --yes to confirm when not running on a terminal");
        assertThat(count("SELECT count(*) FROM organisations")).isEqualTo(2L);

        CliRun pruned = admin("apply", "-f", fleet.toString(), "--prune", "--yes");
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(pruned.out()).isEqualTo("""
                - app Acme/vault
                - policy Acme/office
                ~ account Acme/ci: -runners
                - organisation Empty
                Applied: 0 added, 1 changed, 3 removed.
                """);
        assertThat(count("SELECT count(*) FROM organisations")).isEqualTo(1L);
        assertThat(count("SELECT count(*) FROM network_access_policies")).isEqualTo(1L);
        assertThat(count("SELECT count(*) FROM account_network_policies")).isZero();
        assertThat(count("SELECT count(*) FROM accounts")).as("accounts are never deleted by a manifest").isEqualTo(2L);
    }

    @Test
    void nothingIsHalfAppliedAndTheGuardJudgesTheWholeFile() throws Exception {
        UUID alice = (UUID) d.queryValue("SELECT id FROM accounts WHERE name = 'alice'");
        d.update("INSERT INTO access_events (ts, event_id, org_id, account_id, client_ip, decision)"
                + " VALUES (now() - interval '1 hour', gen_random_uuid(), ?, ?, '203.0.113.9', 'allow')", acme, alice);
        Path lockout = file("lockout.yaml", """
                organisations:
                  - name: Gamma
                  - name: Acme
                    policies:
                      - name: office
                        global: true
                        allow: [192.0.2.0/24]
                """);
        CliRun refused = admin("apply", "-f", lockout.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("gatehouse-admin: refused: this would deny admins who made allowed requests"
                + " in the last 24 hours from 203.0.113.9 (alice); nothing changed");
        assertThat(count("SELECT count(*) FROM organisations WHERE name = 'Gamma'")).as("not half applied").isZero();
        assertThat(count("SELECT count(*) FROM admin_actions")).isZero();

        CliRun forced = admin("apply", "-f", lockout.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(count("SELECT count(*) FROM organisations WHERE name = 'Gamma'")).isEqualTo(1L);

        Path ghost = file("ghost.yaml", """
                organisations:
                  - name: Delta
                  - name: Acme
                    accounts:
                      - name: nobody
                        policies: [runners]
                """);
        CliRun missing = admin("apply", "-f", ghost.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("gatehouse-admin: organisation 'Acme' has no account named 'nobody' (a"
                + " manifest assigns policies to existing accounts: `account create` makes one)\n");
        assertThat(count("SELECT count(*) FROM organisations WHERE name = 'Delta'")).isZero();
    }

    @Test
    void aFileThatIsWrongIsAUsageErrorNamingTheFileAndTheProblem() throws Exception {
        record Case(String content, String message) {
        }
        for (Case c : new Case[] {
                new Case("organisations:\n  - name: Acme\n    polices: []\n",
                        "organisation 'Acme': unknown key 'polices' (known: accounts, apps, name, policies)"),
                new Case("organisations:\n  - name: Acme\n    policies:\n      - name: office\n        allow: [10.0.0.1/8]\n",
                        "organisation 'Acme', policy 'office', allow: '10.0.0.1/8' is not a valid address: host bits"
                                + " set; the network is 10.0.0.0/8"),
                new Case("organisations:\n  - name: no\n", "organisations[0].name: expected text, not false (quote it)"),
                new Case("organisations:\n  - name: Acme\n  - name: Acme\n", "organisation 'Acme' is named twice"),
                new Case("organisations: [\n", "line 2: expected the node content, but found '<stream end>'"),
                new Case("organisations:\n  - name: Acme\n    policies:\n      - name: p\n        global: maybe\n",
                        "organisation 'Acme', policy 'p': global is true or false, not 'maybe'")}) {
            Path p = file("bad.yaml", c.content());
            CliRun r = admin("apply", "-f", p.toString());
            assertThat(r.code()).as(c.content()).isEqualTo(2);
            assertThat(r.err()).as(c.content()).startsWith("gatehouse-admin: " + p + ": " + c.message());
            assertThat(r.err().lines()).as("one line").hasSize(1);
        }
        CliRun none = admin("apply", "-f", dir.resolve("nope.yaml").toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("gatehouse-admin: " + dir.resolve("nope.yaml") + ": no such file");
        assertThat(count("SELECT count(*) FROM organisations")).isEqualTo(2L);
    }
}
