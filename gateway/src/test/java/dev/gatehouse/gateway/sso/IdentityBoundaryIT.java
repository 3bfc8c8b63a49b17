package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity boundary, attacked on every kind of route (issue #27, findings 2 and 3): a client's own
 * {@code X-Gatehouse-*} and identity headers never reach an upstream, the gateway's cookies never leave it, and an
 * upstream cannot set them. Each case failed on the code before the fix.
 */
class IdentityBoundaryIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    TestDatabase d;
    ScriptedUpstream upstream;
    final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
    Gateway gateway;

    static final String TOKEN = "gh_boundaryTestToken0123456789";

    @BeforeEach
    void setUp() throws Exception {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events, sso_keys, sso_events CASCADE");
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Acme");
        f.app(acme, "vault");
        f.token(f.account(acme, "ci", "service", "member"), TOKEN, null);
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
        String up = "\"http://127.0.0.1:" + upstream.port() + "\"";
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.audit.enabled = false\n"
                + "gatehouse.routes = [\n"
                + "  { prefix = \"/unbound/\", upstream = " + up + " }\n"
                + "  { prefix = \"/org/\", upstream = " + up + ", org = \"Acme\" }\n"
                + "  { prefix = \"/off/\", upstream = " + up + ", org = \"Acme\", sso = off }\n"
                + "  { prefix = \"/app/\", upstream = " + up + ", app = \"Acme/vault\" }\n"
                + "  { prefix = \"/token/\", upstream = " + up + ", identify = token }\n"
                + "]\n"));
    }

    @AfterEach
    void tearDown() throws Exception {
        gateway.close();
        upstream.close();
    }

    /** Every spelling a client might try of the gateway's names and of the usual identity headers. */
    static final List<String> FORGED = List.of(
            "X-Gatehouse-User-Email: boss@acme.test", "X-Gatehouse-Assertion: eyJforged.assertion.sig",
            "x-gatehouse-account: admin", "X_Gatehouse_User_Email: boss@acme.test", "X-GATEHOUSE-ORG: Other",
            "X-Gatehouse-Something-New: 1", "Remote-User: admin", "X-Auth-Request-Email: boss@acme.test");

    String send(String path, String... extra) throws Exception {
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
    void aClientsOwnIdentityHeadersReachNoUpstreamOnAnyKindOfRoute() throws Exception {
        for (String path : List.of("/unbound/x", "/org/x", "/off/x", "/app/x", "/token/x")) {
            String head = path.startsWith("/token/") ? send(path, "Authorization: Bearer " + TOKEN) : send(path);
            for (String line : lines(head)) {
                String name = line.split(":", 2)[0].toLowerCase(Locale.ROOT).replace('_', '-');
                if (name.startsWith("x-gatehouse-")) {
                    assertThat(line).as(path + ": only what the gateway set").isIn("X-Gatehouse-Org: Acme",
                            "X-Gatehouse-App: -", "X-Gatehouse-App: vault", "X-Gatehouse-Account: -",
                            "X-Gatehouse-Account: ci");
                }
                assertThat(name).as(path).isNotIn("remote-user", "x-auth-request-email");
            }
            assertThat(head).as(path).doesNotContain("boss@acme.test").doesNotContain("forged").doesNotContain("Other");
        }
    }

    @Test
    void aWebSocketUpgradeCarriesNoForgedIdentityAndNoGatewayCookie() throws Exception {
        for (String path : List.of("/unbound/ws", "/org/ws")) {
            String head = send(path, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertThat(head).as(path).doesNotContain("boss@acme.test").doesNotContain("forged")
                    .doesNotContain("Remote-User").doesNotContainIgnoringCase("__Host-gatehouse");
        }
    }

    @Test
    void theGatewaysCookiesNeverReachAnUpstreamAndEveryOtherCookieDoesByteForByte() throws Exception {
        for (String path : List.of("/unbound/x", "/org/x", "/off/x", "/app/x")) {
            String head = send(path);
            assertThat(lines(head)).as(path).contains("Cookie: theme=dark; lang=\"en gb\"");
            assertThat(head).as(path).doesNotContain("stolen.session.cookie").doesNotContainIgnoringCase("__Host-gatehouse");
        }
    }

    @Test
    void anUpstreamCannotSetTheGatewaysCookies() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET /unbound/x HTTP/1.1\r\nHost: acme.example\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(r.header("set-cookie")).isEqualTo("app=1; Path=/");
        }
        assertThat(MetricsScrape.value(gateway, "gatehouse_upstream_cookies_dropped_total{route=\"/unbound/\"}"))
                .isEqualTo(2);
    }
}
