package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.admin.Recovery;
import dev.gatehouse.core.admin.SsoSessions;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity boundary, attacked (issue #27): one case per finding, each of which failed on the code before the fix.
 * <ol>
 *   <li>a sign-in page reflected markup;</li>
 *   <li>a client's own identity headers reached upstreams;</li>
 *   <li>the session cookie was sent to every upstream, and an upstream could set it;</li>
 *   <li>a host-routed tenant could not sign in;</li>
 *   <li>break-glass left {@code sso = required} routes locked;</li>
 *   <li>a session could not be ended (sign-out cleared one browser's cookie, and answered a cross-site GET);</li>
 *   <li>the smaller ones: a login without {@code org} reset the connection, one callback for every provider, an
 *       unmatched callback wrote a row, assertions named no audience.</li>
 * </ol>
 * The gateway is real, on real sockets, with a real OpenID provider (mock-oauth2-server) and PostgreSQL; requests for
 * other host names go to loopback with that Host, as a browser's would.
 */
class IdentityBoundaryIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final String TOKEN = "gh_boundaryTestToken0123456789";
    static final String TENANT = "tenant.example";

    TestDatabase d;
    MockOAuth2Server idp;
    ScriptedUpstream upstream;
    final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
    Gateway gateway;
    int port;
    UUID sso;
    UUID okta;

    @BeforeEach
    void setUp() throws Exception {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events, sso_keys, sso_events CASCADE");
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Acme");
        f.app(acme, "vault");
        f.token(f.account(acme, "ci", "service", "member"), TOKEN, null);
        idp = new MockOAuth2Server();
        idp.start();
        Path secret = Files.writeString(dir.resolve("client.secret"), "the-client-secret\n");
        sso = (UUID) d.queryValue("INSERT INTO organisations (name, require_sso) VALUES ('Sso', true) RETURNING id");
        d.update("INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, 'alice', 'member', 'admin',"
                + " 'alice@sso.test')", sso);
        okta = (UUID) d.queryValue("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id,"
                + " client_secret_ref) VALUES (?, 'oidc', 'okta', ?, 'gatehouse', ?) RETURNING id", sso,
                idp.issuerUrl("sso").toString(), "file:" + secret);
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref, enabled)"
                + " VALUES (?, 'oidc', 'entra', ?, 'gatehouse', ?, false)", sso, idp.issuerUrl("other").toString(),
                "file:" + secret);
        upstream = new ScriptedUpstream((socket, head) -> {
            heads.add(head);
            if (head.toLowerCase(Locale.ROOT).contains("upgrade: websocket")) {
                ScriptedUpstream.write(socket, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSet-Cookie: __Host-gatehouse=planted; Path=/; Secure\r\n\r\n");
                socket.getInputStream().read();
                return;
            }
            ScriptedUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n"
                    + "Set-Cookie: __Host-gatehouse=planted; Path=/; Secure; HttpOnly\r\n"
                    + "Set-Cookie: __Host-gatehouse-signin=planted; Path=/; Secure\r\n"
                    + "Set-Cookie: app=1; Path=/\r\n\r\nok");
        });
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String up = "\"http://127.0.0.1:" + upstream.port() + "\"";
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.audit.enabled = false\n"
                + "gatehouse.listen.port = " + port + "\n"
                + "gatehouse.sso.public-base-url = \"http://127.0.0.1:" + port + "\"\n"
                + "gatehouse.routes = [\n"
                + "  { prefix = \"/unbound/\", upstream = " + up + " }\n"
                + "  { prefix = \"/org/\", upstream = " + up + ", org = \"Acme\" }\n"
                + "  { prefix = \"/off/\", upstream = " + up + ", org = \"Acme\", sso = off }\n"
                + "  { prefix = \"/app/\", upstream = " + up + ", app = \"Acme/vault\" }\n"
                + "  { prefix = \"/token/\", upstream = " + up + ", identify = token }\n"
                + "  { prefix = \"/sso/\", upstream = " + up + ", org = \"Sso\" }\n"
                + "  { prefix = \"/required/\", upstream = " + up + ", org = \"Sso\", sso = required }\n"
                + "  { prefix = \"/billing/\", upstream = " + up + ", org = \"Sso\", assertion-audience = \"billing\" }\n"
                + "  { hosts = [\"" + TENANT + "\"], prefix = \"/\", upstream = " + up + ", org = \"Sso\" }\n"
                + "  { hosts = [\"acme.example\"], prefix = \"/\", upstream = " + up + ", org = \"Acme\" }\n"
                + "]\n"));
    }

    @AfterEach
    void tearDown() throws Exception {
        gateway.close();
        upstream.close();
        idp.shutdown();
    }

    // ---- 1. reflected markup ---------------------------------------------------------------------------------------

    @Test
    void finding1_aSignInPageShowsMarkupAsTextOnEveryHost() throws Exception {
        String payload = "<img src=x onerror=alert(1)>";
        for (String host : List.of("127.0.0.1:" + port, TENANT, "any.example")) {
            RawHttp.Response r = raw(host, "GET", "/.gatehouse/login?org=Sso&provider=" + enc(payload), Map.of());
            assertThat(r.status()).as(host).isEqualTo(503);
            assertThat(r.body()).as(host).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
            assertThat(r.header("content-security-policy")).as(host).startsWith("default-src 'none'");
            assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
        }
    }

    // ---- 2. forged identity ----------------------------------------------------------------------------------------

    /** Every spelling a client might try of the gateway's names and of the usual identity headers. */
    static final List<String> FORGED = List.of(
            "X-Gatehouse-User-Email: boss@acme.test", "X-Gatehouse-Assertion: eyJforged.assertion.sig",
            "x-gatehouse-account: admin", "X_Gatehouse_User_Email: boss@acme.test", "X-GATEHOUSE-ORG: Other",
            "X-Gatehouse-Something-New: 1", "Remote-User: admin", "X-Auth-Request-Email: boss@acme.test");

    String forward(String path, String... extra) throws Exception {
        heads.clear();
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: acme.example\r\n");
        for (String h : FORGED) {
            req.append(h).append("\r\n");
        }
        for (String h : extra) {
            req.append(h).append("\r\n");
        }
        req.append("Cookie: theme=dark; __Host-gatehouse=stolen.session.cookie; lang=\"en gb\"; __Host-gatehouse-signin=x\r\n");
        req.append("Connection: close\r\n\r\n");
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send(req.toString()).read();
            assertThat(r.status()).as(path + ": " + r.body()).isIn(200, 101);
            String head = heads.poll(5, TimeUnit.SECONDS);
            assertThat(head).as(path + " reached the upstream").isNotNull();
            return head;
        }
    }

    static List<String> lines(String head) {
        return Arrays.stream(head.split("\r\n")).toList();
    }

    @Test
    void finding2_aClientsOwnIdentityHeadersReachNoUpstreamOnAnyKindOfRoute() throws Exception {
        // signed in: the real identity, and only it — on a plain request and on a websocket upgrade
        String base = "127.0.0.1:" + port;
        Map<String, String> jar = signInAt(base, "/sso/page");
        for (String upgrade : List.of("", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")) {
            heads.clear();
            String[] extra = (String.join("\r\n", FORGED) + (upgrade.isEmpty() ? "" : "\r\n" + upgrade)).split("\r\n");
            RawHttp.Response r = raw(base, "GET", "/sso/x", jar, extra);
            assertThat(r.status()).isIn(200, 101);
            assertThat(r.header("set-cookie")).as("nothing of the gateway's set by the upstream, 101 included")
                    .satisfiesAnyOf(v -> assertThat(v).isNull(), v -> assertThat(v).doesNotContain("planted"));
            String head = heads.poll(5, TimeUnit.SECONDS);
            assertThat(head).contains("X-Gatehouse-User-Email: alice@sso.test").contains("X-Gatehouse-Account: alice")
                    .doesNotContain("boss@acme.test").doesNotContain("forged").doesNotContain("Remote-User");
        }
        d.update("UPDATE organisations SET sso_break_glass_at = now() WHERE id = ?", sso); // /required/ serves unsigned
        SsoGatewayIT.await(() -> status("127.0.0.1", "/required/x", Map.of()) == 200, "break-glass on /required/");
        for (String path : List.of("/unbound/x", "/org/x", "/off/x", "/app/x", "/token/x", "/required/x")) {
            String head = path.startsWith("/token/") ? forward(path, "Authorization: Bearer " + TOKEN) : forward(path);
            for (String line : lines(head)) {
                String name = line.split(":", 2)[0].toLowerCase(Locale.ROOT).replace('_', '-');
                if (name.startsWith("x-gatehouse-")) {
                    assertThat(line).as(path + ": only what the gateway set").isIn("X-Gatehouse-Org: Acme",
                            "X-Gatehouse-Org: Sso", "X-Gatehouse-App: -", "X-Gatehouse-App: vault",
                            "X-Gatehouse-Account: -", "X-Gatehouse-Account: ci");
                }
                assertThat(name).as(path).isNotIn("remote-user", "x-auth-request-email");
            }
            assertThat(head).as(path).doesNotContain("boss@acme.test").doesNotContain("forged").doesNotContain("Other");
        }
        for (String path : List.of("/unbound/ws", "/org/ws")) {
            String head = forward(path, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertThat(head).as(path + " (websocket)").doesNotContain("boss@acme.test").doesNotContain("forged")
                    .doesNotContain("Remote-User").doesNotContainIgnoringCase("__Host-gatehouse");
        }
    }

    // ---- 3. the gateway's cookies ----------------------------------------------------------------------------------

    @Test
    void finding3_theGatewaysCookiesNeverReachAnUpstreamNorCanOneSetThem() throws Exception {
        for (String path : List.of("/unbound/x", "/org/x", "/off/x", "/app/x")) {
            String head = forward(path);
            assertThat(lines(head)).as(path).contains("Cookie: theme=dark; lang=\"en gb\"");
            assertThat(head).as(path).doesNotContain("stolen.session.cookie").doesNotContainIgnoringCase("__Host-gatehouse");
        }
        Map<String, String> jar = signInAt("127.0.0.1:" + port, "/sso/page");
        long dropped = MetricsScrape.value(gateway, "gatehouse_upstream_cookies_dropped_total{route=\"/sso/\"}");
        heads.clear();
        RawHttp.Response r = raw("127.0.0.1:" + port, "GET", "/sso/page", jar);
        assertThat(r.status()).isEqualTo(200);
        assertThat(heads.poll(5, TimeUnit.SECONDS)).as("a signed-in request's session stays with the gateway")
                .doesNotContainIgnoringCase("__Host-gatehouse").contains("X-Gatehouse-Account: alice");
        assertThat(r.header("set-cookie")).as("the upstream's own cookie only").isEqualTo("app=1; Path=/");
        assertThat(MetricsScrape.value(gateway, "gatehouse_upstream_cookies_dropped_total{route=\"/sso/\"}"))
                .as("the two Set-Cookies naming the gateway's cookies, counted").isEqualTo(dropped + 2);
    }

    // ---- 4. sign-in on a host-routed tenant ------------------------------------------------------------------------

    @Test
    void finding4_aHostRoutedTenantSignsInThroughAHandOverBoundToItsOwnCookie() throws Exception {
        String tenant0 = TENANT + ":" + port; // a hand-over goes to the base URL's port, whatever the client wrote
        Map<String, String> tenant = signInAt(tenant0, "/dashboard?tab=1");
        assertThat(tenant).containsKey("__Host-gatehouse").doesNotContainKey("__Host-gatehouse-handover");
        heads.clear();
        assertThat(raw(tenant0, "GET", "/dashboard", tenant).status()).isEqualTo(200);
        assertThat(heads.poll(5, TimeUnit.SECONDS)).contains("X-Gatehouse-Account: alice");

        // an attacker's own hand-over code, planted in a victim's browser, finds no matching binding cookie there
        Map<String, String> attacker = new HashMap<>();
        String code = handOverCode(attacker);
        RawHttp.Response planted = raw(tenant0, "GET", "/.gatehouse/hand-over?code=" + code, Map.of());
        assertThat(planted.status()).as(planted.headers() + planted.body()).isEqualTo(400);
        assertThat(planted.header("set-cookie")).as("no session for the victim").doesNotContain("__Host-gatehouse=ey");
        // its own browser redeems it — once (single use, whichever replica sees it first)
        assertThat(raw(tenant0, "GET", "/.gatehouse/hand-over?code=" + code, attacker).status()).isEqualTo(302);
        assertThat(raw(tenant0, "GET", "/.gatehouse/hand-over?code=" + code, attacker).status()).isEqualTo(400);
        // a code for this host's binding is refused on another routed host (never X-Forwarded-Host)
        String second = handOverCode(attacker);
        assertThat(raw("other.example", "GET", "/.gatehouse/hand-over?code=" + second, attacker,
                "X-Forwarded-Host: " + tenant0).status()).isEqualTo(400);

        // a host routed to another organisation, or any port the client names, is never handed this one's session
        Map<String, String> elsewhere = new HashMap<>();
        RawHttp.Response other = raw("acme.example", "GET", "/.gatehouse/login?org=Sso&provider=okta&rd=/x", elsewhere);
        assertThat(other.header("location")).as("signs in at the base URL, no hand-over")
                .startsWith("http://127.0.0.1:" + port + "/.gatehouse/login?").doesNotContain("hf=");
        assertThat(other.header("set-cookie")).isNull();
        String odd = handOverCode(new HashMap<>(), TENANT + ":6666");
        assertThat(odd).as("the hand-over's address: the base URL's port, not the client's").isNotNull();
    }

    // ---- 5. break-glass ----------------------------------------------------------------------------------------------

    @Test
    void finding5_breakGlassFreesRequiredRoutesWithoutIdentity() throws Exception {
        assertThat(status("127.0.0.1", "/required/x", Map.of())).isEqualTo(401);
        new Recovery(d.dataSource(), "test").disableSso("Sso", false);
        SsoGatewayIT.await(() -> status("127.0.0.1", "/required/x", Map.of()) == 200, "break-glass reaches the gateway");
        heads.clear();
        raw("127.0.0.1:" + port, "GET", "/required/x", Map.of());
        assertThat(heads.poll(5, TimeUnit.SECONDS)).contains("X-Gatehouse-Account: -")
                .doesNotContain("X-Gatehouse-User-Email").doesNotContain("X-Gatehouse-Assertion");
    }

    // ---- 6. ending sessions ------------------------------------------------------------------------------------------

    @Test
    void finding6_signOutAndRevocationEndSessionsEverywhere() throws Exception {
        String base = "127.0.0.1:" + port;
        Map<String, String> jar = signInAt(base, "/sso/page");
        Map<String, String> copy = Map.of("__Host-gatehouse", jar.get("__Host-gatehouse"));
        assertThat(raw(base, "GET", "/.gatehouse/logout", jar).body()).contains("<form method=\"post\"");
        assertThat(raw(base, "POST", "/.gatehouse/logout", jar, "Origin: https://evil.example").status())
                .as("a cross-site sign-out").isEqualTo(403);
        assertThat(raw(base, "POST", "/.gatehouse/logout", jar, "Sec-Fetch-Site: cross-site").status()).isEqualTo(403);
        assertThat(status("127.0.0.1", "/sso/page", copy)).as("still signed in").isEqualTo(200);
        RawHttp.Response out = raw(base, "POST", "/.gatehouse/logout", jar, "Origin: http://" + base);
        assertThat(out.status()).isEqualTo(200);
        SsoGatewayIT.await(() -> status("127.0.0.1", "/sso/page", copy) == 401, "a copy of the signed-out cookie refused");

        Map<String, String> again = signInAt(base, "/sso/page");
        assertThat(status("127.0.0.1", "/sso/page", again)).isEqualTo(200);
        new SsoSessions(d.dataSource(), "test").revoke("Sso", null);
        SsoGatewayIT.await(() -> status("127.0.0.1", "/sso/page", again) == 401, "sso revoke --all");
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions WHERE command LIKE 'sso revoke%'")).isEqualTo(1L);

        // signing out an ended session again writes nothing: no row, no deny-list entry, no reload on every replica
        long events = (Long) d.queryValue("SELECT count(*) FROM sso_events");
        long denied = (Long) d.queryValue("SELECT count(*) FROM sso_revoked_sessions");
        for (int i = 0; i < 5; i++) {
            assertThat(raw(base, "POST", "/.gatehouse/logout", again, "Origin: http://" + base).status()).isEqualTo(200);
        }
        assertThat(d.queryValue("SELECT count(*) FROM sso_events")).isEqualTo(events);
        assertThat(d.queryValue("SELECT count(*) FROM sso_revoked_sessions")).isEqualTo(denied);

        // a provider disabled ends its sessions for good: enabled again, it does not bring them back
        Map<String, String> third = signInAt(base, "/sso/page");
        assertThat(status("127.0.0.1", "/required/x", third)).isEqualTo(200);
        d.update("UPDATE sso_providers SET enabled = false WHERE id = ?", okta);
        SsoGatewayIT.await(() -> status("127.0.0.1", "/required/x", third) == 503, "no enabled provider: 503");
        d.update("UPDATE sso_providers SET enabled = true WHERE id = ?", okta);
        SsoGatewayIT.await(() -> status("127.0.0.1", "/required/x", Map.of()) == 401, "the provider enabled again");
        assertThat(status("127.0.0.1", "/required/x", third)).as("its old session stays over").isEqualTo(401);
    }

    // ---- 7. the smaller ones -----------------------------------------------------------------------------------------

    @Test
    void finding7_loginWithoutOrgMixUpUnmatchedCallbacksAndAudience() throws Exception {
        String base = "127.0.0.1:" + port;
        RawHttp.Response noOrg = raw(base, "GET", "/.gatehouse/login", Map.of());
        assertThat(noOrg.status()).as("a page, not a reset connection").isEqualTo(400);
        assertThat(raw(base, "GET", "/.gatehouse/login?org=Sso&org=Acme", Map.of()).status()).isEqualTo(400);

        // an answer for okta's sign-in arriving at entra's callback: another provider's answer is never taken
        Map<String, String> jar = new HashMap<>();
        RawHttp.Response login = raw(base, "GET", "/.gatehouse/login?org=Sso&provider=okta", jar);
        keep(jar, login);
        String state = SsoGatewayIT.query(login.header("location"), "state");
        UUID entra = (UUID) d.queryValue("SELECT id FROM sso_providers WHERE name = 'entra'");
        RawHttp.Response mixUp = raw(base, "GET", "/.gatehouse/callback/" + entra + "?code=x&state=" + state, jar);
        assertThat(mixUp.status()).isEqualTo(400);
        assertThat(mixUp.body()).contains("another sign-in provider");

        // callbacks that match no sign-in: refused, counted, never written
        for (int i = 0; i < 20; i++) {
            assertThat(raw(base, "GET", "/.gatehouse/callback/" + okta + "?code=x&state=y" + i, Map.of()).status())
                    .isEqualTo(400);
        }
        assertThat(d.queryValue("SELECT count(*) FROM sso_events")).isEqualTo(0L);
        assertThat(MetricsScrape.value(gateway, "gatehouse_sso_callbacks_unmatched_total")).isGreaterThanOrEqualTo(21);

        // assertions name their audience: an assertion for one app is no good at another
        Map<String, String> signedIn = signInAt(base, "/sso/page");
        heads.clear();
        raw(base, "GET", "/sso/page", signedIn);
        raw(base, "GET", "/billing/page", signedIn);
        assertThat(audience(heads.poll(5, TimeUnit.SECONDS))).isEqualTo(List.of("Sso"));
        assertThat(audience(heads.poll(5, TimeUnit.SECONDS))).isEqualTo(List.of("billing"));
    }

    static List<String> audience(String head) throws Exception {
        for (String line : lines(head)) {
            if (line.startsWith("X-Gatehouse-Assertion: ")) {
                return SignedJWT.parse(line.substring(23)).getJWTClaimsSet().getAudience();
            }
        }
        throw new AssertionError("no assertion in " + head);
    }

    // ---- a browser, by hand --------------------------------------------------------------------------------------

    /**
     * Signs alice in from {@code host}'s page {@code path}, following every redirect as a browser does (cookies per
     * host), and returns {@code host}'s cookies.
     */
    Map<String, String> signInAt(String host, String path) throws Exception {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("sso", "user-1", "JWT", List.of("gatehouse"),
                Map.of("email", "alice@sso.test", "email_verified", true), 3600));
        Map<String, Map<String, String>> jars = new HashMap<>();
        String url = "http://" + host + path;
        for (int hop = 0; hop < 12; hop++) {
            URI u = URI.create(url);
            String h = u.getRawAuthority();
            Map<String, String> jar = jars.computeIfAbsent(h, k -> new LinkedHashMap<>());
            String location;
            if (u.getPort() == port || u.getHost().equals(TENANT)) {
                RawHttp.Response r = raw(h, "GET", u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()),
                        jar, "Accept: text/html");
                keep(jar, r);
                if (r.status() == 200 && u.getRawPath().equals(URI.create("http://x" + path).getRawPath())) {
                    return jars.get(host);
                }
                assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(302);
                location = r.header("location");
            } else {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(url).isEqualTo(302);
                location = r.headers().firstValue("Location").orElseThrow();
            }
            url = location.startsWith("/") ? "http://" + h + location : location;
        }
        throw new AssertionError("no end to the redirects at " + url);
    }

    /** A hand-over code made for the browser whose cookies are {@code jar} (an attacker's own sign-in on the tenant). */
    String handOverCode(Map<String, String> jar) throws Exception {
        return handOverCode(jar, TENANT);
    }

    String handOverCode(Map<String, String> jar, String host) throws Exception {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("sso", "user-1", "JWT", List.of("gatehouse"),
                Map.of("email", "alice@sso.test", "email_verified", true), 3600));
        RawHttp.Response login = raw(host, "GET", "/.gatehouse/login?org=Sso&provider=okta&rd=/", jar);
        keep(jar, login);
        Map<String, String> baseJar = new HashMap<>();
        URI toBase = URI.create(login.header("location"));
        RawHttp.Response atBase = raw(toBase.getRawAuthority(), "GET", toBase.getRawPath() + "?" + toBase.getRawQuery(),
                baseJar);
        keep(baseJar, atBase);
        HttpResponse<String> atIdp = http.send(HttpRequest.newBuilder(URI.create(atBase.header("location"))).build(),
                HttpResponse.BodyHandlers.ofString());
        URI callback = URI.create(atIdp.headers().firstValue("Location").orElseThrow());
        RawHttp.Response done = raw(callback.getRawAuthority(), "GET", callback.getRawPath() + "?" + callback.getRawQuery(),
                baseJar);
        assertThat(done.header("location")).startsWith("http://" + TENANT + ":" + port + "/.gatehouse/hand-over?code=");
        return SsoGatewayIT.query(done.header("location"), "code");
    }

    /** The response's Set-Cookies into {@code jar} (a Max-Age=0 removes). */
    static void keep(Map<String, String> jar, RawHttp.Response r) {
        String all = r.header("set-cookie");
        if (all == null) {
            return;
        }
        for (String set : all.split(", (?=[^ ;=]+=)")) {
            String[] nv = set.split(";", 2)[0].split("=", 2);
            if (set.contains("Max-Age=0")) {
                jar.remove(nv[0]);
            } else {
                jar.put(nv[0], nv[1]);
            }
        }
    }

    /** A request to the gateway naming {@code host}, with {@code cookies}. */
    RawHttp.Response raw(String host, String method, String target, Map<String, String> cookies, String... headers)
            throws Exception {
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        if (!cookies.isEmpty()) {
            req.append("Cookie: ").append(String.join("; ", cookies.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList())).append("\r\n");
        }
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        if (method.equals("POST")) {
            req.append("Content-Length: 0\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        try (RawHttp c = new RawHttp(port)) {
            return c.send(req.toString()).read();
        }
    }

    int status(String host, String path, Map<String, String> cookies) {
        try {
            return raw(host.equals("127.0.0.1") ? "127.0.0.1:" + port : host, "GET", path, cookies,
                    "Accept: application/json").status();
        } catch (Exception e) {
            return -1;
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
