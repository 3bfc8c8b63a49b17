package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Upstreams and clients that misbehave: the gateway answers for them and keeps serving. */
class ProxyFaultsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream healthy;
    static ScriptedUpstream hanging;
    static ScriptedUpstream dripping;
    static ScriptedUpstream stalling;
    static ScriptedUpstream resetting;
    /** Answers the first request on a connection, then closes it as the next one arrives (a kept-alive race). */
    static ScriptedUpstream closingAfterOne;
    static final List<String> closingHeads = new java.util.concurrent.CopyOnWriteArrayList<>();
    static ServerSocket fullBacklog;
    static final List<Socket> backlogFillers = new ArrayList<>();
    static Socket refusingPort;
    static int closedPort;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        healthy = new TestUpstream();
        hanging = new ScriptedUpstream((s, head) -> Thread.sleep(30_000));
        resetting = new ScriptedUpstream((s, head) -> {
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789");
            Thread.sleep(100);
            ScriptedUpstream.reset(s);
        });
        // Each piece within the 1 s response timeout, the whole response well past it: never timed out.
        dripping = new ScriptedUpstream((s, head) -> {
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                Thread.sleep(400);
                ScriptedUpstream.write(s, "2\r\n" + i + ".\r\n");
            }
            ScriptedUpstream.write(s, "0\r\n\r\n");
        });
        // The head and ten bytes of a hundred, then silence past the timeout.
        stalling = new ScriptedUpstream((s, head) -> {
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
            Thread.sleep(30_000);
        });
        closingAfterOne = new ScriptedUpstream((s, head) -> {
            closingHeads.add(head);
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            String next = ScriptedUpstream.readHead(s.getInputStream());
            if (!next.isEmpty()) {
                closingHeads.add(next); // and the connection closes, unanswered
            }
        });
        // A port that refuses connections and stays refusing: bound, never listening, so that nothing else (the
        // gateway's own listeners included) can take it during the test, as a port freed at once could be.
        refusingPort = new Socket();
        refusingPort.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        closedPort = refusingPort.getLocalPort();
        // A listener that never accepts, its backlog filled: connecting to it hangs (a loopback "black hole").
        fullBacklog = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(fullBacklog.getLocalSocketAddress(), 200);
            } catch (java.io.IOException ignored) {
                // backlog full already
            }
            backlogFillers.add(s);
        }
        String h = "http://127.0.0.1:" + healthy.port();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream { response-timeout = 1s, connect-timeout = 500ms }\n"
                        + "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                        + "gatehouse.server { request-header-timeout = 1s, client-idle-timeout = 3s }\n"
                        + "gatehouse.routes = [\n"
                        + "  { prefix = \"/hang\", upstream = \"http://127.0.0.1:" + hanging.port() + "\" }\n"
                        + "  { prefix = \"/drip\", upstream = \"http://127.0.0.1:" + dripping.port() + "\" }\n"
                        + "  { prefix = \"/stall\", upstream = \"http://127.0.0.1:" + stalling.port() + "\" }\n"
                        + "  { prefix = \"/stale\", upstream = \"http://127.0.0.1:" + closingAfterOne.port() + "\" }\n"
                        + "  { prefix = \"/reset\", upstream = \"http://127.0.0.1:" + resetting.port() + "\" }\n"
                        + "  { prefix = \"/blackhole\", upstream = \"http://127.0.0.1:" + fullBacklog.getLocalPort() + "\" }\n"
                        + "  { prefix = \"/pair\", upstreams = [\"http://127.0.0.1:" + closedPort + "\", \"" + h + "\"] }\n"
                        + "  { prefix = \"/small\", upstream = \"" + h + "\", max-body-size = 1k }\n"
                        + "  { prefix = \"/\", upstream = \"" + h + "\" }\n"
                        + "]\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        healthy.close();
        hanging.close();
        dripping.close();
        stalling.close();
        resetting.close();
        closingAfterOne.close();
        for (Socket s : backlogFillers) {
            s.close();
        }
        fullBacklog.close();
        refusingPort.close();
    }

    private static RawHttp.Response get(String path) throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
        }
    }

    @Test
    void aKeptAliveUpstreamConnectionClosedAsTheRequestArrivesIsRetriedWithTheSameHead() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) { // one client connection: one event loop, one upstream pool
            assertThat(c.send("GET /stale/a HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
            RawHttp.Response r = c.send("GET /stale/b HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.1\r\n\r\n")
                    .read();
            assertThat(r.status()).as("retried on a new connection").isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
        }
        assertThat(closingHeads).hasSize(3);
        String first = closingHeads.get(1);
        String retried = closingHeads.get(2);
        assertThat(first).startsWith("GET /stale/b ");
        assertThat(retried).as("the same head, not rebuilt on top of itself").isEqualTo(first);
        assertThat(linesMatching(retried, "x-forwarded-for: 203\\.0\\.113\\.1, 127\\.0\\.0\\.1"))
                .as("the trusted peer appended once").isEqualTo(1);
        assertThat(linesMatching(retried, "x-real-ip: .*")).isEqualTo(1);
    }

    /** How many lines of a head match a pattern, case-insensitively. */
    static long linesMatching(String head, String line) {
        return java.util.regex.Pattern.compile("(?im)^" + line + "$").matcher(head).results().count();
    }

    @Test
    void hangingUpstreamIs504() throws Exception {
        long t0 = System.nanoTime();
        RawHttp.Response r = get("/hang");
        assertThat(r.status()).isEqualTo(504);
        assertThat(Json.flat(r.body())).containsEntry("error", "upstream timed out: no response within 1000 ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5_000L);
    }

    /**
     * One timer serves a connection's exchanges in turn: a fast exchange leaves its pending check behind, and
     * the next one — on the same connection, to a hanging upstream — still gets its full timeout, no more.
     */
    @Test
    void eachExchangeOnAKeptAliveConnectionGetsItsOwnTimeout() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            assertThat(c.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
            Thread.sleep(600); // the first exchange's check is due 400 ms into the second's wait
            long t0 = System.nanoTime();
            RawHttp.Response r = c.send("GET /hang/again HTTP/1.1\r\nHost: t\r\n\r\n").read();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.status()).isEqualTo(504);
            assertThat(waited).as("a full second from its own request, not from the first one's").isBetween(950L, 3_000L);
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: t\r\n\r\n").read().status())
                    .as("the connection serves on").isEqualTo(200);
        }
    }

    /** The response timeout bounds each silence of the upstream, not the whole response. */
    @Test
    void anUpstreamThatKeepsTalkingIsNeverTimedOut() throws Exception {
        long t0 = System.nanoTime();
        RawHttp.Response r = get("/drip");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0.1.2.3.4.");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("longer than the 1 s timeout in all").isGreaterThan(1_500L);
    }

    /** Silence after the response started: the client's connection is cut (its response can only end short). */
    @Test
    void anUpstreamSilentMidResponseIsCutAfterTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("GET /stall HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThatThrownBy(c::read).isInstanceOf(java.io.EOFException.class)
                    .hasMessage("connection closed after 10 of 100 body bytes");
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5_000L);
        assertThat(get("/still-here").status()).isEqualTo(200);
    }

    @Test
    void connectTimeoutIs504() throws Exception {
        RawHttp.Response r = get("/blackhole");
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.body()).contains("upstream timed out: connecting to 127.0.0.1:" + fullBacklog.getLocalPort());
    }

    @Test
    void resetMidBodyClosesThatClientAndTheGatewayServesOn() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("GET /reset HTTP/1.1\r\nHost: t\r\n\r\n");
            // The head went out (200, Content-Length 100000); the body can only be cut short.
            java.io.IOException cut = null;
            try {
                c.read();
            } catch (java.io.IOException e) {
                cut = e;
            }
            assertThat(cut).as("the client must see the response end early").isNotNull();
        }
        assertThat(get("/still-here").status()).isEqualTo(200);
    }

    @Test
    void deadUpstreamOfAPairIsSkipped() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertThat(get("/pair/" + i).status()).isEqualTo(200);
        }
    }

    @Test
    void bodyLimitIs413() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("Content-Length 2000 is more than 1024 bytes");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + "a".repeat(1024) + "\r\n");
            c.send("10\r\n" + "b".repeat(16) + "\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void slowHeaderSenderIsDisconnected() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n");
            long t0 = System.nanoTime();
            assertThat(trickleUntilClosed(c, 20, 250)).isTrue(); // never idle, never finished
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4_000L);
        }
    }

    /**
     * The head timeout counts from a head's first byte, each head its own: a kept-alive connection quiet longer
     * than it between requests is served, and a later head that trickles is cut about a second after it began.
     */
    @Test
    void theHeadTimeoutCountsFromEachHeadsFirstByte() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            assertThat(c.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
            Thread.sleep(1_500); // longer than request-header-timeout (1 s), shorter than client-idle-timeout (3 s)
            assertThat(c.send("GET /two HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
            Thread.sleep(700); // the check left by the second head is due 300 ms into the third
            long t0 = System.nanoTime();
            c.send("GET /three HTTP/1.1\r\n");
            assertThat(trickleUntilClosed(c, 40, 100)).isTrue();
            long cutAfter = (System.nanoTime() - t0) / 1_000_000;
            assertThat(cutAfter).as("about a second from the third head's first byte").isBetween(900L, 3_000L);
        }
    }

    /**
     * Sends one more header line every {@code everyMillis}, up to {@code lines} of them, as a slowloris would;
     * true once the gateway has closed the connection (a refused send, or end of stream after the last line).
     */
    private static boolean trickleUntilClosed(RawHttp c, int lines, long everyMillis) throws Exception {
        for (int i = 0; i < lines; i++) {
            Thread.sleep(everyMillis);
            try {
                c.send("X-Slow-" + i + ": a\r\n");
            } catch (java.io.IOException e) {
                return true;
            }
        }
        return c.closedByServer();
    }

    @Test
    void expectContinueIsRelayed() throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            c.send("hello");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("seen 5 bytes");
        }
    }
}
