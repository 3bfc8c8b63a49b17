package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LeakCheckExtension;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console on a running gateway (real sockets, PostgreSQL): its own listener, read-only, its pages escaped, the
 * overview drawn from the audit log, the heartbeats and the gateway's own state.
 */
@ExtendWith(LeakCheckExtension.class)
class ConsoleIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    /** Markup in names the database holds as free text. */
    static final String MARKUP_ORG = "<b>Mark\"up</b> & Co";
    static final String MARKUP_PATH = "/<script>alert(1)</script>";
    static final String MARKUP_AGENT = "<img src=x onerror=alert(1)>";
    static final String MARKUP_POLICY = "<b>office</b> \"net\"";
    static final String MARKUP_ACCOUNT = "<b>mallory</b>";
    static final String CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline';"
            + " img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    static Gateway gateway;
    static int console;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        UUID acme = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id");
        UUID policy = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by,"
                + " updated_by) VALUES (?, 'no-loopback', true, 'test', 'test') RETURNING id", acme);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '127.0.0.0/8')", policy);
        UUID marked = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES (?) RETURNING id", MARKUP_ORG);
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, peer_ip, method, path, status, decision,"
                + " user_agent, request_id) VALUES (now(), ?, ?, '203.0.113.5', '10.0.0.2', 'GET', ?, 403, 'deny', ?,"
                + " 'markup-request')", UUID.randomUUID(), marked, MARKUP_PATH, MARKUP_AGENT);
        UUID markedPolicy = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, description,"
                + " is_global, created_by, updated_by) VALUES (?, ?, ?, true, 'test', 'test') RETURNING id", marked,
                MARKUP_POLICY, MARKUP_AGENT);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'allow', '203.0.113.0/24')",
                markedPolicy);
        UUID member = (UUID) d.queryValue("INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, ?, 'member',"
                + " 'admin', 'x@example.com') RETURNING id", marked, MARKUP_ACCOUNT);
        d.update("INSERT INTO api_tokens (account_id, name, token_hash, prefix) VALUES (?, ?, sha256('secret-one'),"
                + " 'gh_AbCd')", member, MARKUP_AGENT);
        d.update("INSERT INTO sso_events (org_id, event, email, client_ip, reason) VALUES (?, 'sign-in refused', ?,"
                + " '203.0.113.7', ?)", marked, "<i>eve</i>@example.com", "sso_domain_refused <b>x</b>");
        d.update("INSERT INTO admin_actions (actor, command, target, before, after) VALUES ('<u>root</u>',"
                + " 'reset-global-policies', ?, NULL, '{\"policy\": \"<b>p</b>\"}')", MARKUP_ORG);
        console = freePort();
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.console { enabled = true, port = " + console
                + " }\ngatehouse.routes = [ { prefix = \"/\", upstream = \"demo\", org = \"Acme\" } ]\n"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static RawHttp.Response request(int port, String method, String target, String... headerLines) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (String h : headerLines) {
            head.append(h).append("\r\n");
        }
        try (RawHttp c = new RawHttp(port)) {
            return c.send(head.append("Connection: close\r\n\r\n").toString()).read(method.equals("HEAD"));
        }
    }

    static RawHttp.Response page(String target) throws IOException {
        return page(console, target);
    }

    /** A console page that must answer 200, with its security headers and no markup from the data. */
    static RawHttp.Response page(int port, String target) throws IOException {
        RawHttp.Response r = request(port, "GET", target, "Accept: text/html");
        assertThat(r.status()).as(target + ": " + r.body()).isEqualTo(200);
        return safe(r, target);
    }

    /** What every console page is: its security headers, and no markup from the data as markup. */
    static RawHttp.Response safe(RawHttp.Response r, String what) {
        assertThat(r.header("Cache-Control")).as(what).isEqualTo("no-store");
        assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        if (r.header("Content-Type").startsWith("text/html")) {
            assertThat(r.header("Content-Security-Policy")).as(what).isEqualTo(CSP);
            assertThat(r.header("Referrer-Policy")).as(what).isEqualTo("no-referrer");
            assertThat(r.body()).as(what).startsWith("<!doctype html>")
                    .doesNotContain("<b>Mark").doesNotContain("<script>alert").doesNotContain("<img src=x");
        }
        return r;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void theOverviewChartsEachOrganisationWithItsNamesAsText() throws Exception {
        assertThat(request(gateway.port(), "GET", "/hello").status()).as("loopback is denied").isEqualTo(403);
        await(() -> db.database().queryValue("SELECT count(*) FROM access_events e JOIN organisations o ON o.id ="
                + " e.org_id WHERE o.name = 'Acme'").equals(1L), "the denial is in the audit log");
        RawHttp.Response r = page("/");
        assertThat(r.body()).contains("<h1>Overview</h1>").contains("<svg class=\"chart\"")
                .contains("&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co")
                .contains(">Acme</a>").contains("1 requests, <a href=\"/denials?org=Acme&amp;since=1h\">1 denied</a>")
                .contains("href=\"/orgs/%3Cb%3EMark%22up%3C%2Fb%3E%20%26%20Co\"")
                .contains("reachable").contains("organisations");
        await(() -> {
            try {
                return page("/").body().contains("http://127.0.0.1:" + gateway.port());
            } catch (IOException e) {
                return false;
            }
        }, "this gateway's heartbeat is listed among the replicas");
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            RawHttp.Response r = request(console, method, "/", "Content-Length: 0");
            assertThat(r.status()).as(method).isEqualTo(405);
            assertThat(r.header("Allow")).as(method).isEqualTo("GET, HEAD");
            safe(r, method);
        }
        RawHttp.Response head = request(console, "HEAD", "/");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Integer.parseInt(head.header("Content-Length"))).isPositive();
    }

    @Test
    void theConsoleIsNotOnTheProxyListener() throws Exception {
        for (String path : List.of("/", "/denials", "/why", "/orgs", "/sign-ins", "/console.js")) {
            RawHttp.Response r = request(gateway.port(), "GET", path, "Accept: text/html");
            assertThat(r.body()).as(path).doesNotContain("Gatehouse console");
        }
        assertThat(page("/").body()).contains("Gatehouse console");
    }

    @Test
    void theOrganisationsPagesShowNamesAsText() throws Exception {
        String list = page("/orgs").body();
        assertThat(list).contains(">Acme</a>").contains("&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co")
                .contains("href=\"/orgs/%3Cb%3EMark%22up%3C%2Fb%3E%20%26%20Co\"");
        String org = page("/orgs/%3Cb%3EMark%22up%3C%2Fb%3E%20%26%20Co").body();
        assertThat(org).contains("<h1>&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co</h1>")
                .contains("&lt;b&gt;office&lt;/b&gt; \"net\"").contains("every request (global)").contains("203.0.113.0/24")
                .contains("&lt;b&gt;mallory&lt;/b&gt;").contains("gh_AbCd…").doesNotContain("secret-one")
                .contains("&lt;u&gt;root&lt;/u&gt;").contains("reset-global-policies").contains("&lt;b&gt;p&lt;/b&gt;");
        assertThat(page("/orgs/Acme").body()).contains("no-loopback").contains("127.0.0.0/8");
        RawHttp.Response none = request(console, "GET", "/orgs/Nobody");
        assertThat(none.status()).isEqualTo(404);
        assertThat(safe(none, "no such org").body()).contains("no organisation named 'Nobody'");
    }

    @Test
    void theSignInsPageShowsRefusalsWithTheirReasonsAsText() throws Exception {
        String body = page("/sign-ins").body();
        assertThat(body).contains("sign-in refused").contains("&lt;i&gt;eve&lt;/i&gt;@example.com")
                .contains("sso_domain_refused &lt;b&gt;x&lt;/b&gt;").contains("203.0.113.7")
                .contains("&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co");
        assertThat(page("/sign-ins?org=Acme").body()).doesNotContain("eve");
    }

    @Test
    void aLoopbackConsoleAnswersOnlyLoopbackHostNames() throws Exception {
        // a DNS rebinding page in a local browser sends its own host name
        for (String host : List.of("attacker.example:" + console, "attacker.example", "127.0.0.1.attacker.example",
                "localhost.attacker.example", "[::2]:" + console)) {
            try (RawHttp c = new RawHttp(console)) {
                RawHttp.Response r = c.send("GET /orgs HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                        .read();
                assertThat(r.status()).as(host).isEqualTo(421);
                assertThat(r.body()).as(host).contains("answers only Host 127.0.0.1, [::1] or localhost")
                        .doesNotContain(">Acme<");
            }
        }
        for (String host : List.of("127.0.0.1", "127.0.0.1:" + console, "localhost:" + console, "LOCALHOST",
                "[::1]:" + console, "127.1.2.3")) {
            try (RawHttp c = new RawHttp(console)) {
                RawHttp.Response r = c.send("GET /orgs HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                        .read();
                assertThat(r.status()).as(host).isEqualTo(200);
            }
        }
    }

    @Test
    void aHalfSentRequestIsClosedAfterTheIdleTimeAndAPipelinedRequestEndsATail() throws Exception {
        try (RawHttp c = new RawHttp(console)) {
            c.timeout((int) ConsoleGate.IDLE.toMillis() + 10_000).send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(ConsoleGate.IDLE.toNanos() + 5_000_000_000L);
        }
        try (RawHttp c = new RawHttp(console)) {
            c.send("GET /denials/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Thread.sleep(500);
            c.send("GET /denials/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            c.timeout(5_000);
            int bytes = 0;
            while (!c.closedByServer()) { // the first stream's head and comment; a timeout here fails the test
                bytes++;
            }
            assertThat(bytes).as("the first stream began before the second request closed it").isPositive();
        }
    }

    @Test
    void aLoopbackConsoleRefusesForwardedRequests() throws Exception {
        // a local reverse proxy publishing the console would make every visitor loopback: fail closed
        for (String header : List.of("X-Forwarded-For: 203.0.113.9", "Forwarded: for=203.0.113.9",
                "X-Forwarded-Host: console.example", "X-Forwarded-Proto: https")) {
            RawHttp.Response r = request(console, "GET", "/orgs", header);
            assertThat(r.status()).as(header).isEqualTo(403);
            assertThat(r.body()).as(header).contains("not published through a proxy");
        }
    }

    @Test
    void anUnknownPageIs404() throws Exception {
        RawHttp.Response r = request(console, "GET", "/nothing/<b>here", "Accept: text/html");
        assertThat(r.status()).isEqualTo(404);
        assertThat(safe(r, "404").body()).contains("/nothing/&lt;b&gt;here");
    }
}
