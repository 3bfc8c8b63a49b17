package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * Every page the gateway answers by itself, asked through a running gateway (real sockets, PostgreSQL, an OpenID
 * provider: mock-oauth2-server) with markup in each value it reflects — the sign-in pages' parameters, the provider's
 * answer, an email, organisation and provider names, unknown paths. No body carries the markup as markup, every HTML
 * answer has the security headers (the pages are served on every host the gateway serves: a script there would run on
 * every app's origin), and every JSON answer parses and names its request.
 */
class LocalPagesIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static final String IMG = "<img src=x onerror=alert(1)>";
    static final String BREAK = "\"'><script>alert(1)</script>";
    static final List<String> PAYLOADS = List.of(IMG, BREAK, "javascript:alert(1)", "&lt;b&gt;");
    /** An organisation, and one of its providers, named with markup (names are free text in the database). */
    static final String MARKUP_ORG = BREAK + " Corp";
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self';"
            + " frame-ancestors 'none'";

    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static MockOAuth2Server idp;
    static TestUpstream upstream;
    static Gateway gateway;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        idp = new MockOAuth2Server();
        idp.start();
        upstream = new TestUpstream();
        String secret = "file:" + Files.writeString(dir.resolve("client.secret"), "the-client-secret\n");
        UUID acme = (UUID) d.queryValue("INSERT INTO organisations (name, require_sso) VALUES ('Acme', true) RETURNING id");
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                + " VALUES (?, 'oidc', 'okta', ?, 'gatehouse', ?)", acme, idp.issuerUrl("acme").toString(), secret);
        UUID marked = (UUID) d.queryValue("INSERT INTO organisations (name, require_sso) VALUES (?, true) RETURNING id",
                MARKUP_ORG);
        for (String name : List.of("okta", IMG)) {
            d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                    + " VALUES (?, 'oidc', ?, ?, 'gatehouse', ?)", marked, name, idp.issuerUrl("marked").toString(), secret);
        }
        UUID walled = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Walled') RETURNING id");
        UUID policy = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by,"
                + " updated_by) VALUES (?, 'no-loopback', true, 'test', 'test') RETURNING id", walled);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '127.0.0.0/8')", policy);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String to = "\"http://127.0.0.1:" + upstream.port() + "\"";
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.listen.port = " + port + "\n"
                + "gatehouse.sso.sign-in-rate.burst = 10000\n" // every payload from one address
                + "gatehouse.sso.public-base-url = \"http://127.0.0.1:" + port + "\"\n"
                + "gatehouse.audit.enabled = false\n"
                + "gatehouse.client-ip.trusted-proxies = [loopback]\n"
                + "gatehouse.routes = [ { prefix = \"/app\", upstream = " + to + ", org = \"Acme\" },"
                + " { prefix = \"/walled\", upstream = " + to + ", org = \"Walled\" } ]\n"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** One request on a connection of its own, its target sent as given. */
    static RawHttp.Response request(String method, String target, String... headerLines) throws Exception {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (String h : headerLines) {
            head.append(h).append("\r\n");
        }
        try (RawHttp c = new RawHttp(port)) {
            return c.send(head.append("Connection: close\r\n\r\n").toString()).read();
        }
    }

    static RawHttp.Response get(String target, String... headerLines) throws Exception {
        return request("GET", target, headerLines);
    }

    /**
     * What every local answer must be: the common headers; an HTML one with its security headers and no markup from a
     * payload; a JSON one that parses and names the request it answers.
     */
    static RawHttp.Response safe(RawHttp.Response r, String what) {
        assertThat(r.header("X-Request-Id")).as(what).matches("[0-9a-f]{16}");
        assertThat(r.header("Cache-Control")).as(what).isEqualTo("no-store");
        assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        assertThat(r.header("Content-Length")).as(what).isEqualTo(String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(r.body()).as(what).doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase("<script");
        String type = r.header("Content-Type");
        if (type.startsWith("text/html")) {
            assertThat(r.header("Content-Security-Policy")).as(what).isEqualTo(CSP);
            assertThat(r.header("Referrer-Policy")).as(what).isEqualTo("no-referrer");
            assertThat(r.body()).as(what).startsWith("<!doctype html>").doesNotContain("\"'>");
        } else if (type.startsWith("application/json")) {
            inertJson(r, what);
        } else {
            assertThat(r.status()).as(what + " (only a redirect has no body)").isEqualTo(302);
            assertThat(r.body()).isEmpty();
        }
        return r;
    }

    static JsonNode inertJson(RawHttp.Response r, String what) {
        assertThat(r.header("Content-Type")).as(what).isEqualTo("application/json; charset=utf-8");
        assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("request_id").asText()).as(what).isEqualTo(r.header("X-Request-Id"));
        assertThat(body.get("status").asInt()).as(what).isEqualTo(r.status());
        return body;
    }

    @Test
    void anUnknownOrganisationWithMarkupIsAPlainNotFoundPage() throws Exception {
        for (String p : PAYLOADS) {
            RawHttp.Response r = safe(get("/.gatehouse/login?org=" + enc(p)), p);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("There is no organisation to sign in to by that name.");
        }
    }

    @Test
    void aProviderNameWithMarkupIsShownAsText() throws Exception {
        RawHttp.Response r = safe(get("/.gatehouse/login?org=Acme&provider=" + enc(IMG)), "provider");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("Organisation Acme has no enabled sign-in provider named &lt;img src=x onerror=alert(1)&gt;.");
        for (String p : PAYLOADS) {
            assertThat(safe(get("/.gatehouse/login?org=Acme&provider=" + enc(p)), p).status()).isEqualTo(503);
        }
    }

    @Test
    void aReturnPathWithMarkupGoesOnlyIntoTheSealedCookieOrAnEncodedLink() throws Exception {
        for (String p : PAYLOADS) {
            RawHttp.Response r = safe(get("/.gatehouse/login?org=Acme&rd=" + enc("/" + p)), p);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).startsWith(idp.issuerUrl("acme") + "/authorize?");
        }
        RawHttp.Response chooser = safe(get("/.gatehouse/login?org=" + enc(MARKUP_ORG) + "&rd=" + enc("/x" + BREAK)), "chooser");
        assertThat(chooser.status()).isEqualTo(200);
        assertThat(chooser.body())
                .contains("<p>Sign in to \"'&gt;&lt;script&gt;alert(1)&lt;/script&gt; Corp with:</p>")
                .contains(">&lt;img src=x onerror=alert(1)&gt;</a>")
                .contains("&amp;provider=%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E&amp;rd=%2Fx%22%27%3E%3Cscript%3Ealert%281%29"
                        + "%3C%2Fscript%3E\"");
    }

    /** A sign-in started here: its cookie and the state the provider would send back. */
    record Started(String cookie, String state, String authorize) {
        /** The provider's own callback, where its answer comes back. */
        String callback() {
            return URI.create(SsoGatewayIT.query(authorize, "redirect_uri")).getPath();
        }
    }

    static Started startSignIn() throws Exception {
        RawHttp.Response login = get("/.gatehouse/login?org=Acme&rd=/app/");
        assertThat(login.status()).isEqualTo(302);
        String authorize = login.header("Location");
        String cookie = login.header("Set-Cookie").split(";", 2)[0];
        assertThat(cookie).startsWith("__Host-gatehouse-signin=");
        return new Started(cookie, SsoGatewayIT.query(authorize, "state"), authorize);
    }

    @Test
    void theProvidersErrorWithMarkupIsShownAsText() throws Exception {
        for (String p : PAYLOADS) {
            Started s = startSignIn();
            RawHttp.Response r = safe(get(s.callback() + "?state=" + enc(s.state()) + "&error=" + enc(p),
                    "Cookie: " + s.cookie()), p);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body()).contains("<title>Sign-in refused</title>").contains("The provider answered: ");
            assertThat(r.header("Set-Cookie")).as("the sign-in cookie cleared").startsWith("__Host-gatehouse-signin=;");
        }
        Started s = startSignIn();
        assertThat(get(s.callback() + "?state=" + enc(s.state()) + "&error=" + enc(IMG), "Cookie: " + s.cookie()).body())
                .contains("The provider answered: &lt;img src=x onerror=alert(1)&gt;");
    }

    @Test
    void aStateWithMarkupIsRefusedWithoutShowingIt() throws Exception {
        for (String p : PAYLOADS) {
            Started s = startSignIn();
            RawHttp.Response r = safe(get(s.callback() + "?code=c&state=" + enc(p), "Cookie: " + s.cookie()), p);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("The answer does not belong to this sign-in.");
            RawHttp.Response expired = safe(get(s.callback() + "?code=c&state=" + enc(p)), p);
            assertThat(expired.status()).isEqualTo(400);
            assertThat(expired.body()).contains("<title>Sign-in expired</title>");
        }
    }

    @Test
    void anEmailWithMarkupFromTheProviderIsShownAsText() throws Exception {
        String email = "<img/src=x/onerror=alert(1)>@acme.test";
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", List.of("gatehouse"),
                Map.of("email", email, "email_verified", true), 3600));
        Started s = startSignIn();
        HttpResponse<String> atProvider = http.send(HttpRequest.newBuilder(URI.create(s.authorize())).build(),
                HttpResponse.BodyHandlers.ofString());
        String callback = atProvider.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith("http://127.0.0.1:" + port + "/.gatehouse/callback/");
        RawHttp.Response r = safe(get(callback.substring(callback.indexOf("/.gatehouse/")), "Cookie: " + s.cookie()), "email");
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).contains("You signed in as &lt;img/src=x/onerror=alert(1)&gt;@acme.test, but organisation Acme"
                + " has no member account with that address.");
    }

    @Test
    void unknownGatehousePagesAndWrongMethodsAreJsonNamingTheRequest() throws Exception {
        for (String target : List.of("/.gatehouse/<script>alert(1)</script>", "/.gatehouse/" + enc(IMG).replace("+", "%20"),
                "/.gatehouse/\"'><svg/onload=alert(1)>")) {
            RawHttp.Response r = safe(get(target), target);
            assertThat(r.status()).as(target).isEqualTo(404);
            assertThat(Json.parse(r.body()).get("error").asText()).isEqualTo("no such gatehouse page");
            assertThat(r.body()).doesNotContainIgnoringCase("<svg");
        }
        RawHttp.Response post = safe(request("POST", "/.gatehouse/login?org=" + enc(IMG), "Content-Length: 0"), "POST");
        assertThat(post.status()).isEqualTo(405);
        assertThat(Json.parse(post.body()).get("error").asText()).isEqualTo("GET only");
        RawHttp.Response badQuery = safe(get("/.gatehouse/login?org=%ZZ<script>alert(1)</script>"), "malformed query");
        assertThat(badQuery.status()).isEqualTo(400);
        assertThat(Json.parse(badQuery.body()).get("error").asText()).isEqualTo("malformed query");
        RawHttp.Response keys = get("/.gatehouse/jwks.json"); // a JWK Set, a standard document: no request id in it
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(keys.header("Cache-Control")).isEqualTo("no-store");
        assertThat(keys.header("X-Request-Id")).matches("[0-9a-f]{16}");
        assertThat(Json.parse(keys.body()).get("keys").isArray()).isTrue();
    }

    @Test
    void theProxysOwnAnswersWithMarkupInThePath() throws Exception {
        RawHttp.Response noRoute = safe(get("/nowhere/<script>alert(1)</script>"), "no route");
        assertThat(noRoute.status()).isEqualTo(404);
        assertThat(Json.parse(noRoute.body()).get("error").asText()).isEqualTo("no route for this path");
        RawHttp.Response above = safe(get("/../<script>alert(1)</script>"), "above the root");
        assertThat(above.status()).isEqualTo(400);
        assertThat(above.header("Connection")).isEqualTo("close");
        RawHttp.Response toSignIn = safe(get("/app/\"'><script>alert(1)</script>", "Accept: text/html"), "to sign-in");
        assertThat(toSignIn.status()).isEqualTo(302);
        assertThat(toSignIn.header("Location")).isEqualTo("/.gatehouse/login?org=Acme&rd="
                + enc("/app/\"'><script>alert(1)</script>"));
        RawHttp.Response api = safe(get("/app/<script>alert(1)</script>", "Accept: application/json"), "401");
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.header("WWW-Authenticate")).isEqualTo("Bearer");
        RawHttp.Response page = safe(get("/walled/<script>alert(1)</script>", "Accept: text/html"), "403 page");
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.body()).contains("<strong>127.0.0.1</strong>").contains("Request id: " + page.header("X-Request-Id"));
        RawHttp.Response denied = safe(get("/walled/<img>", "Accept: application/json"), "403 JSON");
        assertThat(Json.flat(denied.body())).containsOnlyKeys("error", "client_ip", "status", "request_id")
                .containsEntry("client_ip", "127.0.0.1");
    }

    /**
     * A value the edge refuses may be quoted back in the JSON error (so a client sees what was wrong): there it is data
     * of a JSON document that no browser renders as a page ({@code nosniff}), never markup of an HTML one.
     */
    @Test
    void aRefusedForwardingHeaderIsQuotedOnlyAsJsonData() throws Exception {
        RawHttp.Response r = get("/app/", "X-Forwarded-For: " + IMG, "Accept: text/html");
        assertThat(r.status()).isEqualTo(400);
        assertThat(inertJson(r, "X-Forwarded-For").get("error").asText()).contains(IMG);
        assertThat(r.header("Content-Security-Policy")).isNull();
    }
}
