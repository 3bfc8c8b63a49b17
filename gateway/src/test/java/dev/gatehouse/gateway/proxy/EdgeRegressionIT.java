package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.JettyParsed;
import dev.gatehouse.gateway.testing.JettyUpstream;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.RawUpstream;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The concrete cases of issue #16, each as it was found: what reached a keep-alive upstream before, and what does
 * now (the general invariant is {@link EdgeDifferentialIT}'s).
 */
class EdgeRegressionIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;
    static JettyUpstream upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new JettyUpstream();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream.forward-trailers = [\"X-Checksum\"]\n"
                        + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"));
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void forget() {
        upstream.drain();
    }

    private static RawHttp client() throws IOException {
        return new RawHttp(gateway.port());
    }

    @Test
    void aConnectionTokenNamingContentLengthCannotSmuggleTheBodyAsARequest() throws Exception {
        String smuggled = "GET /acme/secret HTTP/1.1\r\nHost: x\r\nX-Real-IP: 10.0.0.7\r\nX-Gatehouse-Org: Acme\r\n"
                + "X-Gatehouse-Account: admin\r\n\r\n";
        try (RawHttp c = client()) {
            c.send("POST /anything HTTP/1.1\r\nHost: x\r\nConnection: Content-Length\r\nContent-Length: "
                    + smuggled.length() + "\r\n\r\n" + smuggled);
            RawHttp.Response r = c.read();
            assertThat(r.body()).contains("uri=/anything ");
            c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).as("the next request gets its own response").contains("uri=/next ");
        }
        List<JettyUpstream.Seen> seen = upstream.drain();
        assertThat(seen).extracting(s -> s.request().uri()).containsExactly("/anything", "/next");
        JettyParsed.Request post = seen.get(0).request();
        assertThat(new String(post.body(), StandardCharsets.ISO_8859_1)).isEqualTo(smuggled);
        assertThat(post.all("Content-Length")).containsExactly(String.valueOf(smuggled.length()));
    }

    @Test
    void onlyHttp10And11AreServed() throws Exception {
        long before = rejections("http_version");
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("GET / HTTP/9.9\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(505);
            assertThat(r.body()).contains("HTTP/9.9 is not supported");
        }
        assertThat(upstream.drain()).isEmpty();
        assertThat(rejections("http_version")).as("counted in metrics by reason").isEqualTo(before + 1);
    }

    /** gatehouse_rejections_total for one reason (0 before the first). */
    private static long rejections(String reason) throws Exception {
        return dev.gatehouse.gateway.testing.MetricsScrape.valueOrZero(gateway,
                "gatehouse_rejections_total{reason=\"" + reason + "\"}");
    }

    @Test
    void controlBytesInTheTargetAreRefused() throws Exception {
        for (String ctl : List.of("\u0001", "\u007f")) {
            try (RawHttp c = client()) {
                RawHttp.Response r = c.send("GET /a" + ctl + "b HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.body()).contains("visible ASCII");
            }
        }
        assertThat(upstream.drain()).isEmpty();
    }

    @Test
    void aRequestWithTwoHostsIsRefusedAndOneWithoutIsOnHttp11() throws Exception {
        long before = rejections("invalid_host");
        try (RawHttp c = client()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status()).isEqualTo(400);
        }
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nX-A: 1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("needs a Host");
        }
        assertThat(upstream.drain()).isEmpty();
        assertThat(rejections("invalid_host")).isEqualTo(before + 2);
    }

    @Test
    void connectionCannotTakeTheHostAway() throws Exception {
        try (RawHttp c = client()) {
            c.send("GET /h HTTP/1.1\r\nHost: tenant.test\r\nConnection: close, Host\r\n\r\n").read();
        }
        assertThat(upstream.drain().get(0).request().all("Host")).containsExactly("tenant.test");
    }

    @Test
    void trailersAreDroppedUnlessAllowedAndNeverForgeGatewayHeaders() throws Exception {
        try (RawHttp c = client()) {
            c.send("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                    + "X-Real-IP: 6.6.6.6\r\nX-Gatehouse-Org: Evil\r\nX-Checksum: 42\r\n\r\n").read();
        }
        JettyParsed.Request r = upstream.drain().get(0).request();
        assertThat(r.trailers()).extracting(t -> t[0] + ": " + t[1]).containsExactly("X-Checksum: 42");
        assertThat(r.all("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(r.all("X-Gatehouse-Org")).isEmpty();
    }

    @Test
    void clientAddressHeadersFromAClientNeverReachTheUpstream() throws Exception {
        List<String> names = List.of("X-Client-IP", "X-Cluster-Client-IP", "Fastly-Client-IP", "True-Client-IP",
                "CF-Connecting-IP", "X-Original-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Server",
                "X-Forwarded-Prefix", "X_Forwarded_For");
        StringBuilder req = new StringBuilder("GET /c HTTP/1.1\r\nHost: x\r\n");
        names.forEach(n -> req.append(n).append(": 10.0.0.7\r\n"));
        try (RawHttp c = client()) {
            c.send(req + "\r\n").read();
        }
        JettyParsed.Request r = upstream.drain().get(0).request();
        for (String n : names) {
            assertThat(r.all(n)).as(n).isEmpty();
        }
        assertThat(r.all("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(r.all("X-Forwarded-For")).containsExactly("127.0.0.1");
    }

    @Test
    void pathsAreNormalisedBeforeRoutingAndForwarded() throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET /public/../admin/./x//y?q=/../ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.send("GET /public/%2E%2e/admin HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.send("GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(400);
        }
        assertThat(upstream.drain()).extracting(s -> s.request().uri()).containsExactly("/admin/x/y?q=/../", "/admin");
    }

    @Test
    void anAbsoluteFormTargetGivesTheHost() throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET http://tenant.test:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
        JettyParsed.Request r = upstream.drain().get(0).request();
        assertThat(r.uri()).isEqualTo("/p?q=1");
        assertThat(r.all("Host")).containsExactly("tenant.test:8080");
    }

    @Test
    void aTransferCodingOtherThanChunkedIsNotImplemented() throws Exception {
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(501);
        }
        assertThat(upstream.drain()).isEmpty();
    }

    @Test
    void anUpgradeToAnythingButWebSocketIsServedAsPlainHttp() throws Exception {
        try (RawHttp c = client()) {
            c.send("GET /u HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n").read();
        }
        JettyParsed.Request r = upstream.drain().get(0).request();
        assertThat(r.all("Upgrade")).isEmpty();
        assertThat(r.all("HTTP2-Settings")).isEmpty();
    }

    @Test
    void aTrailerAllowlistNamingAGatewayHeaderStopsTheStart() {
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream.forward-trailers = [\"X-Real-IP\"]\n")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.upstream.forward-trailers")
                .hasMessageContaining("'x-real-ip' is a header the gateway controls");
    }

    /**
     * Responses whose framing is in doubt are a 502 and their connection is closed: the next request is served on a
     * new connection with its own response, never the rest of the doubtful one.
     */
    @Test
    void anAmbiguouslyFramedResponseIsA502AndItsConnectionIsNotReused() throws Exception {
        List<String> bad = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nhi",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        for (String response : bad) {
            try (FirstAnswerUpstream up = new FirstAnswerUpstream(response);
                 Gateway g = Gateway.start(GatewayConfigs.load(dir, db.database(),
                         "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + up.port() + "\" } ]\n"));
                 RawHttp c = new RawHttp(g.port())) {
                String as = EdgeDifferentialIT.printable(response.getBytes(StandardCharsets.ISO_8859_1));
                RawHttp.Response first = c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(first.status()).as(as).isEqualTo(502);
                assertThat(first.body()).as(as).contains("invalid response from upstream");
                RawHttp.Response second = c.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(second.status()).as(as).isEqualTo(200);
                assertThat(second.body()).as(as).isEqualTo("good");
                assertThat(up.connections()).as("a new upstream connection for the second request: " + as).isEqualTo(2);
            }
        }
    }

    /**
     * A bad chunk after the head went out cannot become a 502: the client's connection is cut before the response
     * ends (a truncated response, which no client takes for a whole one), and the upstream connection is not pooled.
     */
    @Test
    void aBadChunkCutsTheResponseAndItsUpstreamConnection() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n";
        try (FirstAnswerUpstream up = new FirstAnswerUpstream(response);
             Gateway g = Gateway.start(GatewayConfigs.load(dir, db.database(),
                     "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + up.port() + "\" } ]\n"))) {
            try (RawHttp c = new RawHttp(g.port())) {
                c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThatThrownBy(c::read).isInstanceOf(IOException.class);
            }
            try (RawHttp c = new RawHttp(g.port())) {
                assertThat(c.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("good");
            }
            assertThat(up.connections()).isEqualTo(2);
        }
    }

    /** Answers the first connection's request with a scripted response, every later connection's with "good". */
    static final class FirstAnswerUpstream implements AutoCloseable {
        private final RawUpstream server;

        FirstAnswerUpstream(String first) throws IOException {
            server = new RawUpstream((s, n) -> answer(s, n == 1 ? first : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood"));
        }

        private static void answer(Socket s, String response) throws IOException {
            while (ScriptedUpstream.readHead(s.getInputStream()).endsWith("\r\n\r\n")) {
                ScriptedUpstream.write(s, response);
            }
        }

        int connections() {
            return server.connections();
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
