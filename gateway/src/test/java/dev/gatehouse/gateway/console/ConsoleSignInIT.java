package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console bound beyond loopback: only from console.allow, only with a session of the sign-in organisation (made by
 * the gateway's own sign-in, with an OpenID provider: mock-oauth2-server), only for its admins, only where its network
 * policy lets that admin in; and every page an admin views is recorded in admin_actions.
 */
class ConsoleSignInIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static MockOAuth2Server idp;
    static Gateway gateway;
    static int port;
    static int console;
    static UUID acme;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        idp = new MockOAuth2Server();
        idp.start();
        Path secret = Files.writeString(dir.resolve("client.secret"), "the-client-secret\n");
        acme = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id");
        d.update("INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, 'alice', 'member', 'admin',"
                + " 'alice@acme.test'), (?, 'bob', 'member', 'member', 'bob@acme.test')", acme, acme);
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                + " VALUES (?, 'oidc', 'okta', ?, 'gatehouse', ?)", acme, idp.issuerUrl("acme").toString(), "file:" + secret);
        port = ConsoleIT.freePort();
        console = ConsoleIT.freePort();
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.listen.port = " + port + "\n"
                + "gatehouse.sso.public-base-url = \"http://127.0.0.1:" + port + "\"\n"
                + "gatehouse.console { enabled = true, host = \"0.0.0.0\", port = " + console + ", sign-in-org = Acme,"
                + " allow = [\"127.0.0.1/32\"], trusted-proxies = [\"127.0.0.4/32\"] }\n"
                // the public listener believes loopback hops: the console must not
                + "gatehouse.client-ip.trusted-proxies = [\"loopback\"]\n"
                + "gatehouse.routes = [ { prefix = \"/\", upstream = \"demo\", org = \"Acme\" } ]\n"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    /** The session cookie of {@code email}, signed in through the gateway's own sign-in pages. */
    static String signIn(String email) throws Exception {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-" + email, "JWT", List.of("gatehouse"),
                Map.of("email", email, "email_verified", true), 3600));
        HttpResponse<String> login = get("http://127.0.0.1:" + port + "/.gatehouse/login?org=Acme", null);
        String signInCookie = cookie(login, "__Host-gatehouse-signin");
        HttpResponse<String> authorize = get(login.headers().firstValue("Location").orElseThrow(), null);
        HttpResponse<String> back = get(authorize.headers().firstValue("Location").orElseThrow(),
                "__Host-gatehouse-signin=" + signInCookie);
        return cookie(back, "__Host-gatehouse");
    }

    static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html");
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cookie(HttpResponse<String> r, String name) {
        for (String set : r.headers().allValues("Set-Cookie")) {
            if (set.startsWith(name + "=")) {
                return set.substring(name.length() + 1).split(";", 2)[0];
            }
        }
        throw new AssertionError("no cookie " + name + " in " + r.headers().map() + ": " + r.body());
    }

    static HttpResponse<String> page(String path, String session) throws Exception {
        return get("http://127.0.0.1:" + console + path, session == null ? null : "__Host-gatehouse=" + session);
    }

    @Test
    void anAdminSignedInThroughTheOrganisationsProviderSeesTheConsoleAndEachViewIsRecorded() throws Exception {
        HttpResponse<String> anonymous = page("/", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("href=\"http://127.0.0.1:" + port + "/.gatehouse/login?org=Acme\"");

        String alice = signIn("alice@acme.test");
        Object before = db.database().queryValue("SELECT coalesce(max(id), 0) FROM admin_actions");
        HttpResponse<String> overview = page("/", alice);
        assertThat(overview.statusCode()).as(overview.body()).isEqualTo(200);
        assertThat(overview.body()).contains("alice (Acme) · read-only");
        assertThat(page("/denials?org=Acme", alice).statusCode()).isEqualTo(200);
        assertThat(db.database().queryValue("SELECT string_agg(actor || ' ' || target || ' ' || (after->>'client_ip'),"
                + " ',' ORDER BY id) FROM admin_actions WHERE command = 'console view' AND id > ?", before))
                .isEqualTo("alice (Acme) / 127.0.0.1,alice (Acme) /denials?org=Acme 127.0.0.1");
        assertThat(page("/orgs/Acme", alice).body()).as("page views are not changes").doesNotContain("console view");

        String bob = signIn("bob@acme.test");
        HttpResponse<String> member = page("/", bob);
        assertThat(member.statusCode()).isEqualTo(403);
        assertThat(member.body()).contains("Admins only");
    }

    @Test
    void aRevokedSessionEndsItsLiveTail() throws Exception {
        String carol = signIn("alice@acme.test");
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + console + "/denials/stream")).header("Cookie", "__Host-gatehouse=" + carol).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        java.util.concurrent.CompletableFuture<Integer> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.io.InputStream in = stream.body()) {
                while (in.read() >= 0) {
                    // events and keep-alives until the console ends the stream
                }
                return 0;
            } catch (java.io.IOException e) {
                return 1;
            }
        });
        Thread.sleep(1500);
        assertThat(ended).as("open while the session holds").isNotDone();
        new dev.gatehouse.core.admin.SsoSessions(db.database().dataSource(), "test").revoke("Acme", "alice");
        assertThat(ended.get(15, java.util.concurrent.TimeUnit.SECONDS)).as("ended once the revocation arrived")
                .isNotNull();
        assertThat(page("/", carol).statusCode()).isEqualTo(401);
        db.database().update("UPDATE accounts SET sessions_not_before = NULL");
        ConsoleIT.await(() -> {
            try {
                return page("/", signIn("alice@acme.test")).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, "alice signs in again once the revocation is lifted");
    }

    @Test
    void onlyFromTheAllowedNetworksAndWhereTheOrganisationsPolicyLetsTheAdminIn() throws Exception {
        String alice = signIn("alice@acme.test");
        try (RawHttp c = new RawHttp("127.0.0.3", console)) {
            assertThat(c.closedByServer()).as("a peer outside allow is closed before a byte is read").isTrue();
        }
        try (RawHttp c = new RawHttp("127.0.0.3", console)) {
            // 127.0.0.3 is a trusted proxy of the public listener (client-ip: loopback), not of the console
            c.send("GET / HTTP/1.1\r\nHost: console\r\nCookie: __Host-gatehouse=" + alice
                    + "\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(c.closedByServer()).as("a public-listener hop naming an allowed address is not believed")
                    .isTrue();
        }
        try (RawHttp c = new RawHttp("127.0.0.4", console)) {
            // the console's own proxy: its rightmost entry is the client, whatever is written to its left
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: console\r\nCookie: __Host-gatehouse=" + alice
                    + "\r\nX-Forwarded-For: 127.0.0.1, 127.0.0.3\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body()).contains("does not answer requests from 127.0.0.3");
        }
        try (RawHttp c = new RawHttp("127.0.0.4", console)) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: console\r\nCookie: __Host-gatehouse=" + alice
                    + "\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).as("the console's proxy itself is not in allow").isEqualTo(403);
        }
        try (RawHttp c = new RawHttp("127.0.0.4", console)) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: console\r\nCookie: __Host-gatehouse=" + alice
                    + "\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).as("through the console's proxy, from an allowed address").isEqualTo(200);
        }
        assertThat(page("/", alice).statusCode()).isEqualTo(200);
        UUID policy = (UUID) db.database().queryValue("INSERT INTO network_access_policies (org_id, name, is_global,"
                + " created_by, updated_by) VALUES (?, 'elsewhere', true, 't', 't') RETURNING id", acme);
        db.database().update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'allow',"
                + " '198.51.100.0/24')", policy);
        ConsoleIT.await(() -> {
            try {
                return page("/", alice).statusCode() == 403;
            } catch (Exception e) {
                return false;
            }
        }, "the organisation's network policy applies to its admins on the console too");
        assertThat(page("/", alice).body()).contains("does not allow alice from 127.0.0.1");
        try (RawHttp c = new RawHttp("127.0.0.1", console)) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: console\r\nCookie: __Host-gatehouse=" + alice
                    + "\r\nX-Forwarded-For: 198.51.100.7\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).as("the policy judges the peer, not a forwarded address").isEqualTo(403);
            assertThat(r.body()).contains("does not allow alice from 127.0.0.1");
        }
        db.database().update("DELETE FROM network_access_policies WHERE id = ?", policy);
    }
}
