package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on through a running gateway against a real OpenID provider (mock-oauth2-server, in-process), with an
 * HTTP client that keeps cookies as a browser does and follows each redirect by hand, so every hop is checked.
 */
class SsoGatewayIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    TestDatabase d;
    MockOAuth2Server idp;
    TestUpstream upstream;
    Gateway gateway;
    int port;
    UUID org;
    UUID provider;

    /** A browser's cookie jar, by name (one host). */
    final Map<String, String> jar = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events, sso_keys, sso_events CASCADE");
        idp = new MockOAuth2Server();
        idp.start();
        upstream = new TestUpstream();
        Path secret = Files.writeString(dir.resolve("client.secret"), "the-client-secret\n");
        org = (UUID) d.queryValue("INSERT INTO organisations (name, require_sso) VALUES ('Acme', true) RETURNING id");
        d.update("INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, 'alice', 'member', 'admin',"
                + " 'Alice@Acme.test')", org);
        provider = (UUID) d.queryValue("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id,"
                + " client_secret_ref) VALUES (?, 'oidc', 'okta', ?, 'gatehouse', ?) RETURNING id", org,
                idp.issuerUrl("acme").toString(), "file:" + secret);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        gateway = start(port);
    }

    Gateway start(int listenPort) throws Exception {
        return start(listenPort, "");
    }

    Gateway start(int listenPort, String extra) throws Exception {
        return Gateway.start(GatewayConfigs.load(dir, d, extra + "gatehouse.listen.port = " + listenPort + "\n"
                + "gatehouse.sso.public-base-url = \"http://127.0.0.1:" + port + "\"\n"
                + "gatehouse.policies.refresh-interval = 1h\n"
                + "gatehouse.audit.enabled = false\n" // its batches are database work too; this class counts the rest"
                + "gatehouse.routes = [ { prefix = \"/app\", upstream = \"http://127.0.0.1:" + upstream.port()
                + "\", org = \"Acme\" }, { prefix = \"/open\", upstream = \"http://127.0.0.1:" + upstream.port()
                + "\", org = \"Acme\", sso = off } ]\n"));
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        idp.shutdown();
    }

    HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : "http://127.0.0.1:" + port + url));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (!jar.isEmpty() && url.contains("127.0.0.1:" + port) || !url.startsWith("http") && !jar.isEmpty()) {
            b.header("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (!url.startsWith("http") || url.contains("127.0.0.1:" + port)) {
            for (String set : r.headers().allValues("Set-Cookie")) {
                String[] nv = set.split(";", 2)[0].split("=", 2);
                assertThat(set).as("a session cookie: host-only, secure, not for scripts")
                        .contains("Path=/").contains("Secure").contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Domain");
                if (set.contains("Max-Age=0")) {
                    jar.remove(nv[0]);
                } else {
                    jar.put(nv[0], nv[1]);
                }
            }
        }
        return r;
    }

    /** A POST with the jar's cookies, as a browser's form would send it. */
    HttpResponse<String> post(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (!jar.isEmpty()) {
            b.header("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : r.headers().allValues("Set-Cookie")) {
            String[] nv = set.split(";", 2)[0].split("=", 2);
            if (set.contains("Max-Age=0")) {
                jar.remove(nv[0]);
            } else {
                jar.put(nv[0], nv[1]);
            }
        }
        return r;
    }

    static String location(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return r.headers().firstValue("Location").orElseThrow();
    }

    /** A browser's sign-in from the first request to the page it asked for. */
    HttpResponse<String> signIn(String path) throws Exception {
        String login = location(get(path, "Accept", "text/html"));
        assertThat(login).startsWith("/.gatehouse/login?org=Acme&rd=");
        String authorize = location(get(login));
        assertThat(authorize).startsWith(idp.issuerUrl("acme") + "/authorize?").contains("code_challenge_method=S256")
                .contains("nonce=").contains("state=").contains("redirect_uri=" + java.net.URLEncoder.encode(
                        "http://127.0.0.1:" + port + "/.gatehouse/callback/" + provider, StandardCharsets.UTF_8));
        String callback = location(get(authorize));
        assertThat(callback).startsWith("http://127.0.0.1:" + port + "/.gatehouse/callback/" + provider + "?code=");
        return get(callback);
    }

    void identity(String email, List<String> audience, long expirySeconds) {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", audience,
                Map.of("email", email, "email_verified", true), expirySeconds));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aBrowserSignsInAndTheUpstreamLearnsWhoCalled() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        HttpResponse<String> back = signIn("/app/page?x=1");
        assertThat(location(back)).as("back where it started").isEqualTo("/app/page?x=1");
        assertThat(jar).containsKey("__Host-gatehouse").doesNotContainKey("__Host-gatehouse-signin");

        HttpResponse<String> page = get("/app/page?x=1", "Accept", "text/html", "X-Gatehouse-User-Email", "forged@evil.test",
                "X-Gatehouse-Assertion", "forged");
        assertThat(page.statusCode()).isEqualTo(200);
        TestUpstream.Received seen = upstream.take();
        assertThat(seen.header("X-Gatehouse-Account")).isEqualTo("alice");
        assertThat(seen.all("X-Gatehouse-User-Email")).as("the client's copy removed").containsExactly("alice@acme.test");
        assertThat(seen.header("X-Gatehouse-Org")).isEqualTo("Acme");
        assertThat(d.queryValue("SELECT last_sign_in_at IS NOT NULL FROM accounts WHERE name = 'alice'")).isEqualTo(true);

        // the backend can verify who called: the assertion's signature over the gateway's published keys
        com.nimbusds.jwt.SignedJWT assertion = com.nimbusds.jwt.SignedJWT.parse(seen.header("X-Gatehouse-Assertion"));
        com.nimbusds.jose.jwk.JWKSet published = com.nimbusds.jose.jwk.JWKSet.parse(get("/.gatehouse/jwks.json").body());
        com.nimbusds.jose.jwk.ECKey key = (com.nimbusds.jose.jwk.ECKey) published.getKeyByKeyId(assertion.getHeader().getKeyID());
        assertThat(key).as("the signing key is published").isNotNull();
        assertThat(key.isPrivate()).as("only its public half").isFalse();
        assertThat(assertion.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key))).isTrue();
        com.nimbusds.jwt.JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getStringClaim("org")).isEqualTo("Acme");
        assertThat(claims.getStringClaim("account")).isEqualTo("alice");
        assertThat(claims.getStringClaim("email")).isEqualTo("alice@acme.test");
        assertThat(claims.getStringClaim("client_ip")).isEqualTo("127.0.0.1");
        assertThat(claims.getExpirationTime()).isBefore(java.util.Date.from(java.time.Instant.now().plusSeconds(61)));

        assertThat(claims.getClaim("request_id")).as("reused: it names no request").isNull();
        get("/app/page", "Accept", "text/html");
        assertThat(upstream.take().header("X-Gatehouse-Assertion")).as("the same assertion, reused")
                .isEqualTo(seen.header("X-Gatehouse-Assertion"));
        try (Gateway perRequest = start(0, "gatehouse.sso.assertion-per-request = true\n")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + perRequest.port()
                    + "/app/page")).header("Cookie", "__Host-gatehouse=" + jar.get("__Host-gatehouse")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            TestUpstream.Received named = upstream.take();
            assertThat(com.nimbusds.jwt.SignedJWT.parse(named.header("X-Gatehouse-Assertion")).getJWTClaimsSet()
                    .getStringClaim("request_id")).as("per request: it names the request").isEqualTo(named.header("X-Request-Id"));
        }

        // a signed-in request costs no database round trip: sessions and keys are in memory
        long before = transactions();
        for (int i = 0; i < 50; i++) {
            assertThat(get("/app/page", "Accept", "text/html").statusCode()).isEqualTo(200);
            upstream.take();
        }
        assertThat(transactions() - before).as("transactions during 50 signed-in requests (the gateways'"
                + " periodic reads aside; the audit log is off here)").isLessThan(10);

        // a second replica on the same database opens the same session: no sticky sessions
        try (Gateway other = start(0)) {
            HttpResponse<String> there = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/app/page")).header("Cookie", "__Host-gatehouse=" + jar.get("__Host-gatehouse")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(there.statusCode()).isEqualTo(200);
        }

        assertThat(get("/.gatehouse/logout").body()).as("a GET only asks").contains("<form method=\"post\"");
        assertThat(jar).containsKey("__Host-gatehouse");
        HttpResponse<String> out = post("/.gatehouse/logout", "Origin", "http://127.0.0.1:" + port);
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(jar).doesNotContainKey("__Host-gatehouse");
        assertThat(location(get("/app/page", "Accept", "text/html"))).startsWith("/.gatehouse/login");
        await(() -> (Long) d.queryValue("SELECT count(*) FROM sso_events") == 2, "the sign-in and the sign-out recorded");
        assertThat(d.queryValue("SELECT string_agg(event || ' ' || email || ' ' || host(client_ip) || ' '"
                + " || (account_id IS NOT NULL) || ' ' || (org_id = ?), ', ' ORDER BY ts) FROM sso_events", org))
                .isEqualTo("sign-in alice@acme.test 127.0.0.1 true true, sign-out alice@acme.test 127.0.0.1 true true");
    }

    @Test
    void aSessionMadeWithPlainKeysStillOpensOnceAGatewayWithAKeyEncryptedThem() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        signIn("/app/");
        assertThat((Long) d.queryValue("SELECT count(*) FROM sso_keys WHERE material LIKE 'v1:%'")).isZero();
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Path kek = Files.writeString(dir.resolve("sso.key"), java.util.Base64.getEncoder().encodeToString(key) + "\n");
        gateway.close();
        gateway = start(port, "gatehouse.sso.key-encryption-key-file = \"" + kek + "\"\n");
        assertThat(d.queryValue("SELECT count(*) FILTER (WHERE material LIKE 'v1:%') || ' of ' || count(*) FROM sso_keys"))
                .as("every key encrypted at the start").isEqualTo("2 of 2");
        assertThat(get("/app/", "Accept", "text/html").statusCode()).as("the session still opens").isEqualTo(200);
        assertThat(upstream.take().header("X-Gatehouse-Account")).isEqualTo("alice");
    }

    @Test
    void anUnusedSessionEndsAfterTheIdleTimeoutAndUseRenewsIt() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        signIn("/app/");
        String cookie = jar.get("__Host-gatehouse");
        try (Gateway idle = start(0, "gatehouse.sso.session-idle-timeout = 4s\n")) {
            String at = "http://127.0.0.1:" + idle.port() + "/app/";
            Thread.sleep(1100); // past a quarter of the idle time: a use renews the cookie
            HttpResponse<String> used = http.send(HttpRequest.newBuilder(URI.create(at)).header("Cookie",
                    "__Host-gatehouse=" + cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(used.statusCode()).isEqualTo(200);
            String renewal = used.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(renewal).startsWith("__Host-gatehouse=").contains("HttpOnly").contains("Secure");
            String renewed = renewal.split(";", 2)[0].substring("__Host-gatehouse=".length());
            Thread.sleep(4000); // 5.1 s after the sign-in (idle too long), 4 s after the renewal (whole seconds: not over)
            assertThat(http.send(HttpRequest.newBuilder(URI.create(at)).header("Cookie", "__Host-gatehouse=" + cookie)
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("the old cookie has been idle too long").isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(at)).header("Cookie", "__Host-gatehouse=" + renewed)
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("the renewed one lives on").isEqualTo(200);
        }
    }

    @Test
    void withoutASessionAnApiCallGets401AndAnOptedOutRoutePasses() throws Exception {
        HttpResponse<String> api = get("/app/data", "Accept", "application/json");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(Json.flat(api.body())).containsEntry("error", "sign-in required: open this address in a browser");
        assertThat(get("/open/data").statusCode()).as("sso = off").isEqualTo(200);
        assertThat(get("/.gatehouse/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void aTamperedOrForeignCookieIsNoSession() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        signIn("/app/");
        String good = jar.get("__Host-gatehouse");
        char[] c = good.toCharArray();
        int i = c.length - 10;
        c[i] = c[i] == 'A' ? 'B' : 'A';
        jar.put("__Host-gatehouse", new String(c));
        assertThat(get("/app/", "Accept", "application/json").statusCode()).isEqualTo(401);
        jar.put("__Host-gatehouse", "not.a.jwe.at.all");
        assertThat(get("/app/", "Accept", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void aReplayedAnswerIsRefused() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        String login = location(get("/app/", "Accept", "text/html"));
        String callback = location(get(location(get(login))));
        String signInCookie = jar.get("__Host-gatehouse-signin");
        assertThat(get(callback).statusCode()).isEqualTo(302);
        jar.put("__Host-gatehouse-signin", signInCookie); // the same answer again, with the same sign-in cookie
        jar.remove("__Host-gatehouse");
        HttpResponse<String> replay = get(callback);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("already answered");
        assertThat(jar).doesNotContainKey("__Host-gatehouse");

        assertThat(jar).doesNotContainKey("__Host-gatehouse");
    }

    @Test
    void anUnknownEmailIsToldWhichAddressWasSeenAndReturnUrlsStayOnThisSite() throws Exception {
        identity("mallory@acme.test", List.of("gatehouse"), 3600);
        HttpResponse<String> none = signIn("/app/");
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("mallory@acme.test").contains("no member account");
        assertThat(d.queryValue("SELECT event || ' ' || email || ' ' || reason FROM sso_events WHERE email IS NOT NULL"))
                .as("the refusal is recorded with its reason").isEqualTo("sign-in refused mallory@acme.test sso_no_account");

        jar.clear();
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        String authorize = location(get("/.gatehouse/login?org=Acme&rd=" + java.net.URLEncoder.encode("//evil.example/x",
                StandardCharsets.UTF_8)));
        assertThat(location(get(location(get(authorize))))).as("no open redirect").isEqualTo("/");
    }

    @Test
    void whoMaySignInUnverifiedEmailsOtherDomainsAutoCreateAndAChooser() throws Exception {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", List.of("gatehouse"),
                Map.of("email", "alice@acme.test", "email_verified", false), 3600));
        HttpResponse<String> unverified = signIn("/app/");
        assertThat(unverified.statusCode()).isEqualTo(403);
        assertThat(unverified.body()).contains("did not vouch for an email");

        d.update("UPDATE sso_providers SET allowed_domains = '{corp.example}' WHERE id = ?", provider);
        jar.clear();
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        HttpResponse<String> otherDomain = signInWhenReloaded();
        assertThat(otherDomain.statusCode()).isEqualTo(403);
        assertThat(otherDomain.body()).contains("Addresses of acme.test may not sign in");

        d.update("UPDATE sso_providers SET allowed_domains = '{}', auto_create = 'member' WHERE id = ?", provider);
        jar.clear();
        identity("newcomer@acme.test", List.of("gatehouse"), 3600);
        HttpResponse<String> created = signInWhenReloaded();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
        assertThat(d.queryValue("SELECT kind || ' ' || role FROM accounts WHERE email = 'newcomer@acme.test'"))
                .as("created as a member, never an admin").isEqualTo("member member");

        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                + " VALUES (?, 'oidc', 'entra', ?, 'gatehouse', 'env:UNUSED')", org, idp.issuerUrl("entra").toString());
        await(() -> {
            try {
                return get("/.gatehouse/login?org=Acme&rd=/app/").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, "two providers: a chooser");
        HttpResponse<String> chooser = get("/.gatehouse/login?org=Acme&rd=/app/");
        assertThat(chooser.body()).contains("provider=okta&amp;rd=%2Fapp%2F").contains("provider=entra&amp;rd=%2Fapp%2F");
    }

    /**
     * A sign-in once the gateway has read the provider's latest settings: their NOTIFY and a reload take tens of
     * milliseconds (docs/BENCHMARKS.md, p99 55 ms); 300 ms is ample.
     */
    HttpResponse<String> signInWhenReloaded() throws Exception {
        Thread.sleep(300);
        return signIn("/app/");
    }

    @Test
    void theNetworkPolicyStillAppliesToASignedInAccount() throws Exception {
        identity("alice@acme.test", List.of("gatehouse"), 3600);
        signIn("/app/");
        UUID policy = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by,"
                + " updated_by) VALUES (?, 'block-local', true, 'test', 'test') RETURNING id", org);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '127.0.0.0/8')", policy);
        await(() -> {
            try {
                return get("/app/", "Accept", "application/json").statusCode() == 403;
            } catch (Exception e) {
                return false;
            }
        }, "the deny policy reaches the gateway");
    }

    @Test
    void breakGlassDisablingEnforcementOrTheProviderOpensTheRoutesOnEveryReplica() throws Exception {
        try (Gateway other = start(0)) {
            String there = "http://127.0.0.1:" + other.port() + "/app/";
            assertThat(status("/app/")).isEqualTo(401);
            assertThat(status(there)).isEqualTo(401);
            d.update("UPDATE organisations SET require_sso = false WHERE id = ?", org);
            await(() -> status("/app/") == 200 && status(there) == 200, "enforcement off on both running gateways");
            d.update("UPDATE organisations SET require_sso = true WHERE id = ?", org);
            await(() -> status("/app/") == 401 && status(there) == 401, "enforcement back on both");
            d.update("UPDATE sso_providers SET enabled = false WHERE id = ?", provider);
            await(() -> status("/app/") == 200 && status(there) == 200,
                    "no enabled provider: nothing to sign in with, so no sign-in required");
        }
    }

    @Test
    void signOutAtTheProviderIsALinkOnwardNotARedirectAfterThePost() throws Exception {
        try (Gateway atProvider = start(0, "gatehouse.sso.logout-at-provider = true\n")) {
            identity("alice@acme.test", List.of("gatehouse"), 3600);
            signIn("/app/");
            HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + atProvider.port()
                    + "/.gatehouse/logout")).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://127.0.0.1:" + atProvider.port())
                    .header("Cookie", "__Host-gatehouse=" + jar.get("__Host-gatehouse")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(out.statusCode()).as("a page: a redirect after the form's POST would meet form-action 'self'")
                    .isEqualTo(200);
            assertThat(out.body()).contains("You are signed out of this site.")
                    .contains("<a href=\"" + idp.issuerUrl("acme") + "/endsession?client_id=gatehouse\">");
        }
    }

    /**
     * Transactions the database committed so far. Each server process reports its counts when idle, at most once a
     * second: read after a pause longer than that.
     */
    long transactions() throws InterruptedException {
        Thread.sleep(1500);
        return (Long) d.queryValue("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }

    int status(String path) {
        try {
            return get(path, "Accept", "application/json").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String query(String url, String name) {
        for (String kv : URI.create(url).getRawQuery().split("&")) {
            String[] p = kv.split("=", 2);
            if (p[0].equals(name)) {
                return URLDecoder.decode(p[1], StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
