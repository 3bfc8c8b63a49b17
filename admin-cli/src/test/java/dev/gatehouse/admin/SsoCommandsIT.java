package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** OpenID Connect providers, checked against a real OpenID provider (mock-oauth2-server, in-process). */
class SsoCommandsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    TestDatabase d;
    String url;
    MockOAuth2Server idp;
    String issuer;
    Path secret;
    Path config;

    @BeforeEach
    void setUp() throws Exception {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
        idp = new MockOAuth2Server();
        idp.start();
        issuer = idp.issuerUrl("acme").toString();
        secret = Files.writeString(dir.resolve("okta.secret"), "s3cr3t-never-stored\n");
        config = Files.writeString(dir.resolve("gatehouse.conf"),
                "gatehouse.sso.public-base-url = \"https://gatehouse.acme.example\"\n");
        assertThat(admin("org", "create", "Acme").code()).isZero();
        assertThat(admin("account", "create", "--org", "Acme", "alice", "--role", "admin", "--email", "alice@acme.com").code()).isZero();
    }

    @AfterEach
    void stop() {
        idp.shutdown();
    }

    private CliRun admin(String... args) {
        return CliRun.of(Stream.concat(Arrays.stream(args), Stream.of("--database-url", url, "--actor", "ops"))
                .toArray(String[]::new));
    }

    private CliRun addOkta(String... more) {
        return admin(Stream.concat(Stream.of("sso", "provider", "add", "--org", "Acme", "okta", "--issuer", issuer,
                "--client-id", "gatehouse", "--client-secret-file", secret.toString()), Arrays.stream(more)).toArray(String[]::new));
    }

    @Test
    void aProviderIsStoredWithoutItsSecretAndChecksAgainstTheRealIssuer() {
        CliRun added = addOkta("--allowed-domain", "Acme.com", "--allowed-domain", "@acme.com");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("Added provider okta to Acme (" + issuer + ", client gatehouse, secret from file:");
        assertThat(d.queryValue("SELECT client_secret_ref FROM sso_providers")).isEqualTo("file:" + secret.toAbsolutePath());
        assertThat(d.queryValue("SELECT array_to_string(allowed_domains, ',') FROM sso_providers")).as("folded, once")
                .isEqualTo("acme.com");
        assertThat(d.queryValue("SELECT count(*) FROM sso_providers p, admin_actions a"
                + " WHERE p::text LIKE '%s3cr3t%' OR a::text LIKE '%s3cr3t%'")).as("no secret in the database").isEqualTo(0L);
        assertThat(d.queryValue("SELECT command FROM admin_actions ORDER BY id DESC LIMIT 1")).isEqualTo("sso provider add");
        assertThat(addOkta().code()).as("one name per organisation").isEqualTo(1);

        CliRun check = admin("sso", "check", "--org", "Acme", "--config", config.toString());
        assertThat(check.code()).as(check.out() + check.err()).isZero();
        Object id = d.queryValue("SELECT id FROM sso_providers");
        assertThat(check.out()).startsWith("okta: ok\n").contains("  authorization:  " + issuer + "/authorize")
                .contains("1 signing key at " + issuer + "/jwks").contains("(readable)")
                .as("its own callback, to register at the provider")
                .contains("  redirect URI:   https://gatehouse.acme.example/.gatehouse/callback/" + id + "\n");
        com.fasterxml.jackson.databind.JsonNode json = admin("sso", "check", "--org", "Acme", "--json").json();
        assertThat(json.get(0).get("problem").isNull()).isTrue();
        assertThat(json.get(0).get("signing_keys").asInt()).isEqualTo(1);
        assertThat(json.get(0).get("redirect_uri").isNull()).as("no public-base-url configured").isTrue();
        assertThat(json.get(0).get("redirect_path").asText()).isEqualTo("/.gatehouse/callback/" + id);
        assertThat(admin("sso", "provider", "list", "--org", "Acme", "--json").values("name")).containsExactly("okta");
    }

    @Test
    void checkSaysOnceWhetherTheGatewaysKeysAreStoredEncrypted() {
        d.update("DELETE FROM sso_keys");
        assertThat(addOkta().code()).isZero();
        assertThat(admin("sso", "check", "--org", "Acme").out())
                .contains("\nSSO keys: none in sso_keys yet (a gateway writes them when it starts).\n");

        d.update("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at) VALUES"
                + " ('session-key-1', 'session', 'c2VjcmV0', now(), now() + interval '8 hours'),"
                + " ('assertion-key-1', 'assertion', '{\"kty\":\"EC\"}', now(), now() + interval '2 hours')");
        CliRun plain = admin("sso", "check", "--org", "Acme");
        assertThat(plain.code()).as("a warning, not a failing provider").isZero();
        assertThat(plain.out()).endsWith("SSO keys: 2 of 2 in sso_keys stored unencrypted, so a database dump forges"
                + " sessions and assertions. Fix: give every gateway the same gatehouse.sso.key-encryption-key-file"
                + " (openssl rand -base64 32 > FILE) and restart them; the first to start encrypts them.\n");
        assertThat(plain.out().split("SSO keys:", -1)).as("said once, not per provider").hasSize(2);

        byte[] raw = new byte[32];
        new java.security.SecureRandom().nextBytes(raw);
        String key = java.util.Base64.getEncoder().encodeToString(raw);
        dev.gatehouse.core.sso.KeyEncryption kek = dev.gatehouse.core.sso.KeyEncryption.parse(key, "test");
        d.update("UPDATE sso_keys SET material = ? WHERE kid = 'session-key-1'", kek.seal("session", "session-key-1", "c2VjcmV0"));
        d.update("UPDATE sso_keys SET material = ? WHERE kid = 'assertion-key-1'",
                kek.seal("assertion", "assertion-key-1", "{\"kty\":\"EC\"}"));
        assertThat(admin("sso", "check", "--org", "Acme").out())
                .endsWith("SSO keys: 2 in sso_keys, all encrypted (key-encryption key " + kek.id() + ").\n");
        com.fasterxml.jackson.databind.JsonNode keys = admin("sso", "check", "--org", "Acme", "--json").json().get(0).get("sso_keys");
        assertThat(keys.get("plain").asLong()).isZero();
        assertThat(keys.get("encrypted").asLong()).isEqualTo(2);
        assertThat(keys.get("key_encryption_keys").get(0).asText()).isEqualTo(kek.id());

        byte[] other = new byte[32];
        CliRun wrongKey = CliRun.of(java.util.Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY",
                java.util.Base64.getEncoder().encodeToString(other)), "sso", "check", "--org", "Acme", "--database-url", url);
        assertThat(wrongKey.out()).contains(", not under this configuration's key "
                + dev.gatehouse.core.sso.KeyEncryption.parse(java.util.Base64.getEncoder().encodeToString(other), "x").id()
                + ": a gateway started with it would refuse to start.");
    }

    @Test
    void badInputIsAUsageErrorAndChangesNothing() {
        CliRun plainHttp = admin("sso", "provider", "add", "--org", "Acme", "x", "--issuer", "http://idp.example.com",
                "--client-id", "c", "--client-secret-env", "X");
        assertThat(plainHttp.code()).isEqualTo(2);
        assertThat(plainHttp.err()).contains("must be https://");
        CliRun noFile = admin("sso", "provider", "add", "--org", "Acme", "x", "--issuer", issuer, "--client-id", "c",
                "--client-secret-file", dir.resolve("missing").toString());
        assertThat(noFile.code()).isEqualTo(2);
        assertThat(noFile.err()).contains("--client-secret-file: cannot read");
        CliRun both = admin("sso", "provider", "add", "--org", "Acme", "x", "--issuer", issuer, "--client-id", "c",
                "--client-secret-file", secret.toString(), "--client-secret-env", "X");
        assertThat(both.code()).isEqualTo(2);
        CliRun domain = addOkta("--allowed-domain", "*.acme.com");
        assertThat(domain.code()).isEqualTo(2);
        assertThat(domain.err()).contains("is not a domain name");
        CliRun admin = addOkta("--auto-create", "admin");
        assertThat(admin.code()).isEqualTo(2);
        assertThat(d.queryValue("SELECT count(*) FROM sso_providers")).isEqualTo(0L);
    }

    @Test
    void requiringSignInNeedsAProviderThatAnswersAndNamesAdminsWhoNeverSignedIn() {
        CliRun none = admin("sso", "require", "--org", "Acme");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("refused: no enabled provider of organisation 'Acme' answers (none is enabled)");
        assertThat(addOkta().code()).isZero();

        CliRun on = admin("sso", "require", "--org", "Acme");
        assertThat(on.code()).as(on.err()).isZero();
        assertThat(on.out()).isEqualTo("Organisation Acme requires sign-in on its browser routes.\n");
        assertThat(on.err()).contains("warning: these admins never signed in: alice");
        assertThat(d.queryValue("SELECT require_sso FROM organisations")).isEqualTo(true);
        assertThat(admin("sso", "require", "--org", "Acme").code()).as("already so").isEqualTo(1);
        assertThat(admin("sso", "require", "--org", "Acme", "--off").code()).isZero();

        idp.shutdown(); // the provider stops answering
        CliRun down = admin("sso", "require", "--org", "Acme");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).contains("okta: discovery document unreachable");
        assertThat(d.queryValue("SELECT require_sso FROM organisations")).as("nothing changed").isEqualTo(false);
        assertThat(admin("sso", "check", "--org", "Acme").code()).isEqualTo(1);
    }

    @Test
    void anIssuerThatIsNotTheDocumentsOwnFailsTheCheck() {
        assertThat(admin("sso", "provider", "add", "--org", "Acme", "okta", "--issuer", issuer + "/", "--client-id", "c",
                "--client-secret-env", "OKTA_SECRET").code()).isZero();
        CliRun check = admin("sso", "check", "--org", "Acme");
        assertThat(check.code()).isEqualTo(1);
        assertThat(check.out()).startsWith("okta: discovery document refused").contains("OKTA_SECRET (not set in this environment");
    }

    @Test
    void signInsAreReadBackWithTheirReasons() {
        assertThat(addOkta().code()).isZero();
        Object org = d.queryValue("SELECT id FROM organisations WHERE name = 'Acme'");
        Object alice = d.queryValue("SELECT id FROM accounts WHERE name = 'alice'");
        Object okta = d.queryValue("SELECT id FROM sso_providers");
        d.update("INSERT INTO sso_events (ts, org_id, provider_id, account_id, event, email, client_ip, reason) VALUES"
                + " (now() - interval '2 hours', ?, ?, ?, 'sign-in', 'alice@acme.com', '198.51.100.7', NULL),"
                + " (now() - interval '1 hour', ?, ?, NULL, 'sign-in refused', 'mallory@acme.com', '203.0.113.9', 'sso_no_account'),"
                + " (now() - interval '10 days', ?, ?, ?, 'sign-out', 'alice@acme.com', '198.51.100.7', NULL)",
                org, okta, alice, org, okta, org, okta, alice);
        CliRun r = admin("audit", "sign-ins", "--org", "Acme");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("sign-in refused\\s+mallory@acme.com\\s+okta\\s+203.0.113.9\\s+sso_no_account")
                .containsPattern("sign-in\\s+alice@acme.com\\s+alice\\s+okta\\s+198.51.100.7")
                .as("older than the default 7 days").doesNotContain("sign-out");
        assertThat(admin("audit", "sign-ins", "--org", "Acme", "--since", "30d", "--json").values("event"))
                .containsExactly("sign-in refused", "sign-in", "sign-out");
    }

    @Test
    void providersAreDisabledEnabledAndRemoved() {
        assertThat(addOkta().code()).isZero();
        assertThat(admin("sso", "provider", "disable", "--org", "Acme", "okta").out()).isEqualTo("Disabled provider okta of Acme.\n");
        assertThat(admin("sso", "provider", "disable", "--org", "Acme", "okta").code()).as("already so").isEqualTo(1);
        assertThat(admin("sso", "require", "--org", "Acme").code()).as("no enabled provider").isEqualTo(1);
        assertThat(admin("sso", "provider", "enable", "--org", "Acme", "okta").code()).isZero();
        assertThat(admin("sso", "provider", "show", "--org", "Acme", "okta", "--json").json().get("enabled").asBoolean()).isTrue();
        assertThat(admin("sso", "provider", "remove", "--org", "Acme", "okta").code()).as("--yes off a terminal").isEqualTo(2);
        assertThat(admin("sso", "provider", "remove", "--org", "Acme", "okta", "--yes").code()).isZero();
        assertThat(admin("sso", "provider", "show", "--org", "Acme", "okta").code()).isEqualTo(1);
    }

    @Test
    void aProviderRegisteredWithTheSharedCallbackKeepsIt() {
        assertThat(addOkta().code()).isZero();
        d.update("UPDATE sso_providers SET callback_path = '/.gatehouse/callback'"); // as V8 leaves the ones before it
        CliRun check = admin("sso", "check", "--org", "Acme", "--config", config.toString());
        assertThat(check.out()).contains("  redirect URI:   https://gatehouse.acme.example/.gatehouse/callback"
                + " (the shared one it was registered with)\n");
        assertThat(admin("sso", "provider", "show", "--org", "Acme", "okta", "--json").json().get("callback_path").asText())
                .isEqualTo("/.gatehouse/callback");
    }

    @Test
    void requiringSignInAgainEndsTheBreakGlass() {
        assertThat(addOkta().code()).isZero();
        assertThat(admin("sso", "require", "--org", "Acme").code()).isZero();
        assertThat(admin("disable-org-sso", "--org", "Acme", "--disable-enforcement", "--yes").code()).isZero();
        assertThat(admin("sso", "require", "--org", "Acme", "--off").code()).as("already off").isEqualTo(1);
        assertThat(d.queryValue("SELECT sso_break_glass_at IS NOT NULL FROM organisations")).isEqualTo(true);

        CliRun on = admin("sso", "require", "--org", "Acme");
        assertThat(on.code()).as(on.err()).isZero();
        assertThat(on.out()).isEqualTo("Organisation Acme requires sign-in on its browser routes.\n"
                + "Break-glass ended: its routes with sso = required ask for sign-in again.\n");
        assertThat(d.queryValue("SELECT sso_break_glass_at FROM organisations")).isNull();
        assertThat(d.queryValue("SELECT (before->>'sso_break_glass_at' IS NOT NULL) || ' ' || (after->'sso_break_glass_at')"
                + " FROM admin_actions WHERE command = 'sso require' ORDER BY id DESC LIMIT 1")).isEqualTo("true null");

        CliRun off = admin("sso", "require", "--org", "Acme", "--off", "--json");
        assertThat(off.json().get("break_glass_ended").asBoolean()).isFalse();
        assertThat(d.queryValue("SELECT sso_break_glass_at FROM organisations")).as("--off is no break-glass").isNull();
    }

    @Test
    void revokingEndsAnAccountsOrEverySessionAndSaysHow() {
        assertThat(admin("account", "create", "--org", "Acme", "bob", "--email", "bob@acme.com").code()).isZero();
        assertThat(admin("account", "create", "--org", "Acme", "ci", "--kind", "service").code()).isZero();

        CliRun one = admin("sso", "revoke", "--org", "Acme", "--account", "alice", "--yes");
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).matches("Revoked the sign-in sessions of alice in Acme issued until \\S+Z\\.\n"
                + "Every gateway refuses them within the policy propagation time, with no database call per request;"
                + " signing in again makes a new session\\.\n");
        assertThat(d.queryValue("SELECT count(*) FROM accounts WHERE sessions_not_before IS NOT NULL")).isEqualTo(1L);
        assertThat(d.queryValue("SELECT sessions_not_before FROM organisations")).isNull();
        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || target FROM admin_actions ORDER BY id DESC LIMIT 1"))
                .isEqualTo("ops sso revoke Acme/alice");

        CliRun all = admin("sso", "revoke", "--org", "Acme", "--all", "--yes", "--json");
        assertThat(all.code()).as(all.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode json = all.json();
        assertThat(json.get("org").asText()).isEqualTo("Acme");
        assertThat(json.get("account").isNull()).isTrue();
        assertThat(json.get("member_accounts").asLong()).as("alice and bob, not ci").isEqualTo(2);
        assertThat(java.time.Instant.parse(json.get("sessions_not_before").asText()))
                .isEqualTo(((java.sql.Timestamp) d.queryValue("SELECT sessions_not_before FROM organisations")).toInstant());
        assertThat(admin("sso", "revoke", "--org", "Acme", "--all", "--yes").out())
                .startsWith("Revoked every sign-in session of Acme issued until ").contains(" (2 member accounts).\n");

        CliRun service = admin("sso", "revoke", "--org", "Acme", "--account", "ci", "--yes");
        assertThat(service.code()).isZero();
        assertThat(service.err()).contains("warning: ci is a service account: it never signs in");
    }

    @Test
    void revokeRefusesAmbiguityUnknownNamesAndAMissingYes() {
        for (String[] args : new String[][] {
                {"sso", "revoke", "--org", "Acme", "--yes"},
                {"sso", "revoke", "--org", "Acme", "--account", "alice", "--all", "--yes"},
                {"sso", "revoke", "--account", "alice", "--yes"},
                {"sso", "revoke", "--org", "Acme", "--all"}}) {
            CliRun r = admin(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("gatehouse-admin: ").hasLineCount(1);
        }
        CliRun noYes = admin("sso", "revoke", "--org", "Acme", "--all");
        assertThat(noYes.err()).contains("This ends every sign-in session of organisation 'Acme'; add --yes");
        CliRun mallory = admin("sso", "revoke", "--org", "Acme", "--account", "mallory", "--yes");
        assertThat(mallory.code()).isEqualTo(1);
        assertThat(mallory.err()).isEqualTo("gatehouse-admin: organisation 'Acme' has no account named 'mallory'\n");
        assertThat(admin("sso", "revoke", "--org", "Nope", "--all", "--yes").code()).isEqualTo(1);
        assertThat(d.queryValue("SELECT count(*) FROM accounts WHERE sessions_not_before IS NOT NULL")).isEqualTo(0L);
        assertThat(d.queryValue("SELECT count(*) FROM organisations WHERE sessions_not_before IS NOT NULL")).isEqualTo(0L);
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions WHERE command = 'sso revoke'")).isEqualTo(0L);
    }
}
