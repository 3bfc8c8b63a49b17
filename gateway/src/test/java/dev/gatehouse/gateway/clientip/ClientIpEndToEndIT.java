package dev.gatehouse.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-IP resolution through real sockets: peers chosen by binding to 127.0.0.x, forged headers,
 * the PROXY protocol from a raw socket, and what the upstream finally sees.
 */
class ClientIpEndToEndIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static Gateway gateway;       // trusts 127.0.0.1 (our "nginx")
    static Gateway proxyGateway;  // PROXY protocol listener, senders: 127.0.0.1 (our "NLB")

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream();
        String routes = "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n";
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), routes
                + "gatehouse.client-ip { trusted-proxies = [\"127.0.0.1\", \"10.0.0.0/8\"],"
                + " headers = [\"CF-Connecting-IP\", \"X-Forwarded-For\"] }\n"
                + "gatehouse.upstream.forwarded-header = true\n"));
        proxyGateway = Gateway.start(GatewayConfigs.load(dir, db.database(), routes
                + "gatehouse.listen { proxy-protocol = true, proxy-protocol-senders = [\"127.0.0.1\"] }\n"
                + "gatehouse.client-ip.trusted-proxies = [\"10.0.0.0/8\"]\n"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, proxyGateway, upstream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @BeforeEach
    void clear() {
        upstream.clear();
    }

    private static RawHttp.Response get(String from, int port, String extraHeaders) throws Exception {
        try (RawHttp c = new RawHttp(from, port)) {
            return c.send("GET /who HTTP/1.1\r\nHost: app.example\r\n" + extraHeaders + "\r\n").read();
        }
    }

    @Test
    void trustedPeerXForwardedForIsWalkedAndExtended() throws Exception {
        assertThat(get("127.0.0.1", gateway.port(), "X-Forwarded-For: 6.6.6.6, 203.0.113.7, 10.1.2.3\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\nX-Request-Id: nginx-req-42\r\n").status())
                .isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("203.0.113.7");
        assertThat(got.header("X-Forwarded-For")).isEqualTo("6.6.6.6, 203.0.113.7, 10.1.2.3, 127.0.0.1");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(got.header("X-Forwarded-Host")).isEqualTo("app.example.com");
        assertThat(got.header("X-Request-Id")).as("a trusted proxy's request id is kept").isEqualTo("nginx-req-42");
        assertThat(got.header("Forwarded")).isEqualTo("for=127.0.0.1;proto=https;host=\"app.example\"");
    }

    @Test
    void untrustedPeerCannotClaimAnAddress() throws Exception {
        assertThat(get("127.0.0.9", gateway.port(), "X-Forwarded-For: 10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\n"
                + "CF-Connecting-IP: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nForwarded: for=10.0.0.1\r\n"
                + "X-Request-Id: forged\r\nX_Forwarded_For: 10.0.0.1\r\nX_Real_IP: 10.0.0.1\r\n").status()).isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.all("X-Real-IP")).containsExactly("127.0.0.9");
        assertThat(got.all("X-Forwarded-For")).containsExactly("127.0.0.9");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(got.all("Forwarded")).containsExactly("for=127.0.0.9;proto=http;host=\"app.example\"");
        assertThat(got.header("CF-Connecting-IP")).as("not believed: removed").isNull();
        assertThat(got.header("X-Request-Id")).isNotEqualTo("forged");
        assertThat(got.headers().keySet()).noneMatch(k -> k.contains("_"));
    }

    @Test
    void forgedCloudflareHeaderBehindTrustedNginxIsIgnored() throws Exception {
        get("127.0.0.1", gateway.port(), "CF-Connecting-IP: 1.1.1.1\r\nX-Forwarded-For: 198.51.100.20\r\n");
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("198.51.100.20");
        assertThat(got.header("CF-Connecting-IP")).isNull();

        get("127.0.0.1", gateway.port(), "CF-Connecting-IP: 198.51.100.99\r\nX-Forwarded-For: 198.51.100.99, 173.245.48.1\r\n");
        got = upstream.take();
        assertThat(got.header("X-Real-IP")).as("delivered by a Cloudflare edge").isEqualTo("198.51.100.99");
        assertThat(got.header("CF-Connecting-IP")).isEqualTo("198.51.100.99");
    }

    @Test
    void invalidForwardingEntryIs400WithTheReason() throws Exception {
        RawHttp.Response r = get("127.0.0.1", gateway.port(), "X-Forwarded-For: 010.0.0.1\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("bad forwarding header: x-forwarded-for[0]: '010.0.0.1' is not a valid address:"
                + " IPv4 octet with a leading zero");
        assertThat(upstream.nothingReceived()).isTrue();
    }

    @Test
    void mappedIpv4ClientIsPrintedAsIpv4() throws Exception {
        get("127.0.0.1", gateway.port(), "X-Forwarded-For: ::ffff:198.51.100.4\r\n");
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("198.51.100.4");
        get("127.0.0.1", gateway.port(), "X-Forwarded-For: [2001:DB8:0::0:1]:443\r\n");
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("2001:db8::1");
    }

    // --- PROXY protocol ---

    @Test
    void proxyV1SourceBecomesThePeer() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.1", proxyGateway.port())) {
            c.send("PROXY TCP4 198.51.100.10 127.0.0.1 40000 443\r\nGET /v1 HTTP/1.1\r\nHost: x\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("198.51.100.10");
        assertThat(got.header("X-Forwarded-For")).isEqualTo("198.51.100.10");
    }

    @Test
    void proxyV2Ipv6AndTrustedSourceWalk() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.1", proxyGateway.port())) {
            c.send(proxyV2(0x21, "2001:db8::10", "2001:db8::1"));
            c.send("GET /v2 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("2001:db8::10");

        // PROXY source is a trusted proxy (10.x): its X-Forwarded-For is walked
        try (RawHttp c = new RawHttp("127.0.0.1", proxyGateway.port())) {
            c.send(proxyV2(0x21, "10.9.9.9", "10.0.0.1"));
            c.send("GET /v2 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.77\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("203.0.113.77");
        assertThat(got.header("X-Forwarded-For")).isEqualTo("203.0.113.77, 10.9.9.9");
    }

    @Test
    void proxyV2LocalKeepsTheSocketPeer() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.1", proxyGateway.port())) {
            c.send(proxyV2(0x20, "198.51.100.1", "127.0.0.1"));
            c.send("GET /local HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("127.0.0.1");
    }

    @Test
    void connectionWithoutProxyHeaderIsClosed() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.1", proxyGateway.port())) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.nothingReceived()).isTrue();
    }

    @Test
    void proxyHeaderFromANonSenderIsClosedUnread() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.2", proxyGateway.port())) {
            c.send("PROXY TCP4 10.0.0.1 127.0.0.1 1 2\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.nothingReceived()).isTrue();
    }

    /** A PROXY protocol v2 header: verCmd 0x21 = PROXY, 0x20 = LOCAL. */
    static byte[] proxyV2(int verCmd, String src, String dst) throws Exception {
        byte[] s = InetAddress.getByName(src).getAddress();  // literals only: no lookup
        byte[] d = InetAddress.getByName(dst).getAddress();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(verCmd);
        out.write(s.length == 4 ? 0x11 : 0x21);
        int len = s.length * 2 + 4;
        out.write(len >> 8);
        out.write(len & 0xff);
        out.write(s);
        out.write(d);
        out.write(new byte[] {(byte) 0x9c, 0x40, 0x01, (byte) 0xbb});
        return out.toByteArray();
    }

}
