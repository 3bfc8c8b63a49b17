package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The gateway on real sockets, between a real HTTP client and a real upstream. */
class GatewayEndToEndIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static Gateway gateway;
    static int closedPort;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // closed again at once: nothing listens there
        }
        String u = "http://127.0.0.1:" + upstream.port();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.routes = [\n"
                        + "  { prefix = \"/api/\", upstream = \"" + u + "/base\", strip-prefix = true }\n"
                        + "  { prefix = \"/app\", upstream = \"" + u + "\" }\n"
                        + "  { prefix = \"/down\", upstream = \"http://127.0.0.1:" + closedPort + "\" }\n"
                        + "  { prefix = \"/byname\", upstream = \"http://localhost:" + upstream.port() + "\" }\n"
                        + "]\n"));
    }

    @BeforeEach
    void clearUpstream() {
        upstream.clear();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    @Test
    void forwardsWithRealIpAndStripsThePrefix() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url("/api/users?id=7"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("seen 0 bytes");
        assertThat(r.headers().firstValue("X-Upstream")).hasValue("test");
        TestUpstream.Received got = upstream.take();
        assertThat(got.uri()).isEqualTo("/base/users?id=7");
        assertThat(got.header("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(got.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(got.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + gateway.port());
        assertThat(got.header("X-Request-Id")).matches("[0-9a-f]{16}");
    }

    @Test
    void realIpIsTheSocketPeerWhicheverLoopbackAddressItComesFrom() throws Exception {
        for (String from : new String[] {"127.0.0.2", "127.0.0.3"}) {
            try (RawHttp c = new RawHttp(from, gateway.port())) {
                RawHttp.Response r = c.send("GET /app/x HTTP/1.1\r\nHost: gh\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
            }
            TestUpstream.Received got = upstream.take();
            assertThat(got.header("X-Real-IP")).isEqualTo(from);
            assertThat(got.header("X-Forwarded-For")).isEqualTo(from);
        }
    }

    @Test
    void forgedForwardingHeadersFromAnUntrustedPeerAreReplaced() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.4", gateway.port())) {
            RawHttp.Response r = c.send("GET /app/ HTTP/1.1\r\nHost: gh\r\nX-Real-IP: 10.0.0.1\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\nX-Request-Id: forged\r\n"
                    + "Connection: keep-alive, X-Real-IP, X-Forwarded-For, X-Secret\r\nX-Secret: s3cret\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        TestUpstream.Received got = upstream.take();
        assertThat(got.all("X-Real-IP")).containsExactly("127.0.0.4");
        assertThat(got.all("X-Forwarded-For")).containsExactly("127.0.0.4");
        assertThat(got.header("X-Request-Id")).isNotEqualTo("forged");
        assertThat(got.header("X-Secret")).as("named in Connection: hop-by-hop").isNull();
        assertThat(got.header("Connection")).isNull();
    }

    @Test
    void routePrefixesMatchOnSegmentBoundaries() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET /application HTTP/1.1\r\nHost: gh\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(Json.flat(r.body())).containsEntry("error", "no route for this path").containsKey("request_id");
            // the connection is still usable after a local answer
            assertThat(c.send("GET /app?q=1 HTTP/1.1\r\nHost: gh\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(upstream.take().uri()).isEqualTo("/app?q=1");
    }

    @Test
    void keepAliveReusesOneUpstreamConnection() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("GET /app/1 HTTP/1.1\r\nHost: gh\r\n\r\n").read();
            int first = upstream.take().remotePort();
            c.send("GET /app/2 HTTP/1.1\r\nHost: gh\r\n\r\n").read();
            int second = upstream.take().remotePort();
            assertThat(second).as("same upstream connection").isEqualTo(first);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("GET /app/p1 HTTP/1.1\r\nHost: gh\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: gh\r\n\r\n"
                    + "POST /app/p3 HTTP/1.1\r\nHost: gh\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(404);
            RawHttp.Response third = c.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.body()).startsWith("seen 5 bytes");
        }
        assertThat(upstream.take().uri()).isEqualTo("/app/p1");
        assertThat(upstream.take().uri()).isEqualTo("/app/p3");
    }

    @Test
    void bodiesArriveIntactWithContentLengthAndChunked() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));

        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url("/app/upload")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("seen " + body.length + " bytes, sha256 " + sha + "\n");
        assertThat(upstream.take().sha256()).isEqualTo(sha);

        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("POST /app/chunked HTTP/1.1\r\nHost: gh\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertThat(c.read().body()).startsWith("seen 11 bytes");
        }
        TestUpstream.Received got = upstream.take();
        assertThat(got.bodyBytes()).isEqualTo(11);
        assertThat(got.header("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void headRequestHasNoBody() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("HEAD /app/h HTTP/1.1\r\nHost: gh\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            // the next response on the same connection parses: no stray body bytes were sent
            assertThat(c.send("GET /app/after-head HTTP/1.1\r\nHost: gh\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(upstream.take().method()).isEqualTo("HEAD");
        upstream.take();
    }

    @Test
    void http10ClientGetsTheResponseThenClose() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET /app/old HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("seen 0 bytes");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.take().header("Host")).as("added for HTTP/1.0").isEqualTo("127.0.0.1:" + upstream.port());
    }

    @Test
    void upstreamHostNamesAreResolved() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            assertThat(c.send("GET /byname/x HTTP/1.1\r\nHost: gh\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(upstream.take().uri()).isEqualTo("/byname/x");
    }

    @Test
    void upstreamDownIs502WithJsonAndRequestId() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url("/down/x"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.flat(r.body())).containsEntry("error", "upstream connection failed: connection refused")
                .containsEntry("request_id", r.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void malformedRequestIs400AndClosed() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("THIS IS NOT HTTP\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("bad request");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.nothingReceived()).isTrue();
    }

    @Test
    void oversizedHeaderIs431() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET /app HTTP/1.1\r\nHost: gh\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
        }
        assertThat(upstream.nothingReceived()).isTrue();
    }

    @Test
    void overlongUriIs414() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET /app/" + "x".repeat(10_000) + " HTTP/1.1\r\nHost: gh\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(414);
        }
    }
}
