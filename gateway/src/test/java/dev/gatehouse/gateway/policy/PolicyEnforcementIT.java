package dev.gatehouse.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity and network policies end to end: real PostgreSQL rows, two gateways on one database,
 * clients given addresses through a trusted X-Forwarded-For, and the upstream's view.
 */
class PolicyEnforcementIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static Gateway gateway;
    static Gateway second;
    static Fixtures f;
    static UUID acme;
    static UUID office;
    static UUID ciToken;
    static UUID aliceToken;
    static UUID expiredToken;
    static String conf;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        f = new Fixtures(d);
        acme = f.org("Acme");
        UUID other = f.org("Other");
        UUID poller = f.org("Poller");
        d.update("UPDATE organisations SET audit_mode = 'aggregated' WHERE id = ?", poller);
        f.app(acme, "vault");
        UUID alice = f.account(acme, "alice", "member", "admin");
        UUID ci = f.account(acme, "ci", "service", "member");
        UUID mallory = f.account(other, "mallory", "member", "member");
        office = f.policy(acme, "office", true, "allow 203.0.113.0/24", "allow 2001:db8:1::/48", "deny 203.0.113.66/32");
        UUID runners = f.policy(acme, "runners", false, "allow 198.51.100.0/24");
        f.assign(ci, runners);
        ciToken = f.token(ci, "gh_ci_0123456789", null);
        aliceToken = f.token(alice, "gh_alice_0123456789", null);
        expiredToken = f.token(alice, "gh_expired_0123456789", Instant.now().minusSeconds(5));
        f.token(mallory, "gh_mallory_0123456789", null);

        upstream = new TestUpstream();
        String u = "http://127.0.0.1:" + upstream.port();
        conf = "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                + "gatehouse.audit.aggregate-window = 1s\n"
                + "gatehouse.routes = [\n"
                + "  { prefix = \"/api/\", upstream = \"" + u + "\", app = \"Acme/vault\", identify = token }\n"
                + "  { prefix = \"/site/\", upstream = \"" + u + "\", org = \"Acme\" }\n"
                + "  { prefix = \"/any/\", upstream = \"" + u + "\", identify = token }\n"
                + "  { prefix = \"/ghost/\", upstream = \"" + u + "\", org = \"NoSuchOrg\" }\n"
                + "  { prefix = \"/open/\", upstream = \"" + u + "\" }\n"
                + "  { prefix = \"/poll/\", upstream = \"" + u + "\", org = \"Poller\" }\n"
                + "]\n";
        gateway = Gateway.start(GatewayConfigs.load(dir, d, conf));
        second = Gateway.start(GatewayConfigs.load(dir, d, conf));
    }

    @AfterAll
    static void stop() {
        second.close();
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void clear() {
        upstream.clear();
    }

    static RawHttp.Response request(Gateway g, String path, String clientIp, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(g.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + clientIp + "\r\n"
                    + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n").read();
        }
    }

    @Test
    void globalPolicyOnAnOrgRoute() throws Exception {
        assertThat(request(gateway, "/site/a", "203.0.113.5").status()).isEqualTo(200);
        RawHttp.Response denied = request(gateway, "/site/a", "192.0.2.1");
        assertThat(denied.status()).isEqualTo(403);
        java.util.Map<String, String> body = Json.flat(denied.body());
        assertThat(body).containsOnlyKeys("error", "client_ip", "status", "request_id")
                .containsEntry("error", "access from this IP address is blocked by your organisation's network access policy")
                .containsEntry("client_ip", "192.0.2.1").containsEntry("status", "403");
        assertThat(body.get("request_id")).matches("[0-9a-f]{16}");
        assertThat(denied.body()).doesNotContain("office").doesNotContain("203.0.113");
        assertThat(request(gateway, "/site/a", "203.0.113.66").status()).as("deny beats allow").isEqualTo(403);
        assertThat(request(gateway, "/site/a", "2001:db8:1::9").status()).as("IPv6").isEqualTo(200);
        assertThat(request(gateway, "/site/a", "::ffff:203.0.113.5").status()).as("mapped IPv4").isEqualTo(200);
    }

    @Test
    void browsersGetAPageNamingTheirIp() throws Exception {
        RawHttp.Response r = request(gateway, "/site/", "192.0.2.44", "Accept: text/html,application/xhtml+xml");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("<strong>192.0.2.44</strong>").contains("network access policy");
    }

    @Test
    void tokenIdentifiesTheAccountWhosePoliciesApply() throws Exception {
        // ci has the runners policy besides the org's global office policy
        assertThat(request(gateway, "/api/x", "198.51.100.7", "Authorization: Bearer gh_ci_0123456789").status()).isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Gatehouse-Org")).isEqualTo("Acme");
        assertThat(got.header("X-Gatehouse-App")).isEqualTo("vault");
        assertThat(got.header("X-Gatehouse-Account")).isEqualTo("ci");
        assertThat(got.header("Authorization")).as("passed through unchanged").isEqualTo("Bearer gh_ci_0123456789");
        // alice has only the global policy
        assertThat(request(gateway, "/api/x", "198.51.100.7", "Authorization: Bearer gh_alice_0123456789").status()).isEqualTo(403);
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: bearer gh_alice_0123456789").status()).isEqualTo(200);
    }

    @Test
    void aTokensLastUseIsWrittenForTokenListAndAtShutdown() throws Exception {
        TestDatabase d = db.database();
        d.update("UPDATE api_tokens SET last_used_at = NULL");
        Instant before = Instant.now().minusSeconds(1);
        try (Gateway third = Gateway.start(GatewayConfigs.load(dir, d, conf))) {
            assertThat(request(third, "/api/x", "198.51.100.7", "Authorization: Bearer gh_ci_0123456789").status())
                    .isEqualTo(200);
            assertThat(request(third, "/api/x", "198.51.100.7", "Authorization: Bearer gh_alice_0123456789").status())
                    .as("valid token, refused network: still a use of the token").isEqualTo(403);
            assertThat(request(third, "/api/x", "198.51.100.7", "Authorization: Bearer gh_expired_0123456789").status())
                    .isEqualTo(401);
        } // written at the latest when the gateway stops (else once a minute)
        for (UUID used : new UUID[] {ciToken, aliceToken}) {
            Object at = d.queryValue("SELECT last_used_at FROM api_tokens WHERE id = ?", used);
            assertThat(at).isNotNull();
            assertThat(((java.sql.Timestamp) at).toInstant()).isBetween(before, Instant.now());
        }
        assertThat(d.queryValue("SELECT last_used_at FROM api_tokens WHERE id = ?", expiredToken))
                .as("an expired token was refused, not used").isNull();
    }

    @Test
    void tokenEdgeCasesAre401NeverServerErrors() throws Exception {
        RawHttp.Response missing = request(gateway, "/api/x", "203.0.113.9");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(missing.body()).contains("missing API token");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer").body()).contains("expected Authorization: Bearer <token>");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Basic dXNlcjpwdw==").status()).isEqualTo(401);
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer not a token").body()).contains("malformed bearer token");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer " + "x".repeat(5000)).body())
                .contains("Authorization header too long");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer gh_unknown_0000").body()).contains("unknown API token");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer gh_expired_0123456789").body())
                .contains("API token expired");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer gh_mallory_0123456789").body())
                .contains("API token not valid for this route");
        assertThat(request(gateway, "/api/x", "203.0.113.9", "Authorization: Bearer a", "Authorization: Bearer b").status())
                .isEqualTo(401);
        assertThat(upstream.nothingReceived()).isTrue();
    }

    @Test
    void unboundTokenRouteTakesTheOrganisationFromTheToken() throws Exception {
        assertThat(request(gateway, "/any/x", "10.9.9.9", "Authorization: Bearer gh_mallory_0123456789").status()).isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Gatehouse-Org")).isEqualTo("Other");
        assertThat(got.header("X-Gatehouse-App")).isEqualTo("-");
        assertThat(got.header("X-Gatehouse-Account")).isEqualTo("mallory");
    }

    @Test
    void unboundRoutesAreNotCheckedAndForgedIdentityIsRemoved() throws Exception {
        assertThat(request(gateway, "/open/x", "192.0.2.1", "X-Gatehouse-Org: Acme", "X-Gatehouse-Account: alice").status())
                .isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Gatehouse-Org")).isNull();
        assertThat(got.header("X-Gatehouse-Account")).isNull();
        request(gateway, "/site/x", "203.0.113.5", "X-Gatehouse-Account: alice");
        assertThat(upstream.take().header("X-Gatehouse-Account")).isEqualTo("-");
    }

    @Test
    void routeBoundToAnUnknownOrganisationFailsClosed() throws Exception {
        RawHttp.Response r = request(gateway, "/ghost/", "203.0.113.5");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("this route's organisation is not configured");
    }

    @Test
    void revokedTokenStopsWorkingOnBothGateways() throws Exception {
        UUID account = f.account(acme, "temp", "service", "member");
        UUID token = f.token(account, "gh_temp_0123456789", null);
        awaitStatus(gateway, "/api/x", 200, "Authorization: Bearer gh_temp_0123456789");
        awaitStatus(second, "/api/x", 200, "Authorization: Bearer gh_temp_0123456789");
        f.revoke(token);
        long t0 = System.nanoTime();
        awaitStatus(gateway, "/api/x", 401, "Authorization: Bearer gh_temp_0123456789");
        awaitStatus(second, "/api/x", 401, "Authorization: Bearer gh_temp_0123456789");
        System.out.printf("token revocation enforced on both gateways after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(request(second, "/api/x", "203.0.113.9", "Authorization: Bearer gh_temp_0123456789").body())
                .contains("API token revoked");
    }

    @Test
    void policyChangePropagatesToBothGateways() throws Exception {
        assertThat(request(gateway, "/site/p", "192.0.2.200").status()).isEqualTo(403);
        long t0 = System.nanoTime();
        f.entry(office, "allow 192.0.2.200/32");
        long first = awaitStatus(gateway, "/site/p", 200);
        long both = awaitStatus(second, "/site/p", 200);
        System.out.printf("policy change enforced after %d ms (gateway 1), %d ms (gateway 2)%n",
                (first - t0) / 1_000_000, (both - t0) / 1_000_000);
        assertThat((Math.max(first, both) - t0) / 1_000_000).as("propagation, generously bounded").isLessThan(5_000);
        db.database().update("DELETE FROM network_policy_entries WHERE network = '192.0.2.200/32'");
        awaitStatus(gateway, "/site/p", 403);
    }

    @Test
    void everyCheckedRequestIsAudited() throws Exception {
        long before = (Long) db.database().queryValue("SELECT count(*) FROM access_events");
        request(gateway, "/site/audited?token=secret", "203.0.113.5", "User-Agent: audit-test/1.0");
        request(gateway, "/site/audited", "192.0.2.9", "User-Agent: audit-test/1.0");
        request(gateway, "/open/not-audited", "192.0.2.9", "User-Agent: audit-test/1.0");
        long deadline = System.currentTimeMillis() + 5000;
        while ((Long) db.database().queryValue("SELECT count(*) FROM access_events WHERE user_agent = 'audit-test/1.0'") < 2
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        assertThat((Long) db.database().queryValue("SELECT count(*) FROM access_events WHERE user_agent = 'audit-test/1.0'"))
                .isEqualTo(2L);
        assertThat(db.database().queryValue("SELECT string_agg(decision || ' ' || status || ' ' || host(client_ip) || ' ' || path"
                + " || ' ' || coalesce(policy_id::text, '-') || ' ' || org_id::text, ', ' ORDER BY decision)"
                + " FROM access_events WHERE user_agent = 'audit-test/1.0'"))
                .isEqualTo("allow 200 203.0.113.5 /site/audited " + office + " " + acme
                        + ", deny 403 192.0.2.9 /site/audited " + office + " " + acme);
        assertThat((Long) db.database().queryValue("SELECT count(*) FROM access_events")).isGreaterThanOrEqualTo(before + 2);
    }

    @Test
    void aUserAgentNamedInConnectionIsStillAudited() throws Exception {
        // hop-by-hop: not sent upstream; but the audit log records what the client sent
        assertThat(request(gateway, "/site/hidden", "203.0.113.5", "User-Agent: hidden-ua/1.0",
                "Connection: keep-alive, User-Agent").status()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 5000;
        while ((Long) db.database().queryValue("SELECT count(*) FROM access_events WHERE path = '/site/hidden'") < 1
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(db.database().queryValue("SELECT user_agent FROM access_events WHERE path = '/site/hidden'"))
                .isEqualTo("hidden-ua/1.0");
    }

    @Test
    void aggregatedModeWritesOneRowPerClientAndWindowWithACount() throws Exception {
        for (int i = 0; i < 30; i++) {
            request(gateway, "/poll/status", "198.51.100.1");
        }
        for (int i = 0; i < 5; i++) {
            request(gateway, "/poll/status", "198.51.100.2");
        }
        long deadline = System.currentTimeMillis() + 10_000;
        Object total = null;
        while (System.currentTimeMillis() < deadline) {
            total = db.database().queryValue("SELECT sum(event_count) FROM access_events e JOIN organisations o"
                    + " ON o.id = e.org_id WHERE o.name = 'Poller'");
            if (total != null && ((Number) total).longValue() == 35) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(((Number) total).longValue()).isEqualTo(35);
        long rows = (Long) db.database().queryValue("SELECT count(*) FROM access_events e JOIN organisations o"
                + " ON o.id = e.org_id WHERE o.name = 'Poller' AND event_type = 'aggregate'");
        assertThat(rows).as("a handful of rows, not 35").isBetween(2L, 8L);
        assertThat((Long) db.database().queryValue("SELECT count(*) FROM access_events e JOIN organisations o"
                + " ON o.id = e.org_id WHERE o.name = 'Poller' AND event_type = 'request'")).isZero();
    }

    /** Polls until the path answers {@code status}; returns System.nanoTime() at that moment. */
    static long awaitStatus(Gateway g, String path, int status, String... headers) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            int got = request(g, path, path.startsWith("/api") ? "203.0.113.9" : "192.0.2.200", headers).status();
            if (got == status) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " still answers " + got + ", expected " + status);
            }
            Thread.sleep(10);
        }
    }
}
