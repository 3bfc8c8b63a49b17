package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.NginxRunner;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped nginx files (nginx/), run by the real nginx in front of a real gateway and a real
 * upstream; rewritten only for ports and paths.
 */
class NginxIT {
    static final Path SHIPPED = NginxRunner.SHIPPED;

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static NginxRunner nginx;
    static TestUpstream upstream;
    static Gateway gateway;
    static Path testAlb;

    @BeforeAll
    static void start() throws Exception {
        if (!NginxRunner.installed()) {
            return; // each test says it is skipped, and why (a skip in here would hide the count)
        }
        nginx = new NginxRunner(dir);
        Fixtures f = new Fixtures(db.database());
        UUID acme = f.org("Acme");
        f.policy(acme, "office", true, "allow 198.51.100.0/24");
        upstream = new TestUpstream();
        String u = "http://127.0.0.1:" + upstream.port();
        // the shipped Gatehouse side, plus routes for the test
        String behind = Files.readString(SHIPPED.resolve("gatehouse-behind-nginx.conf")).replace("port = 8080", "port = 0");
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), behind
                + "gatehouse.routes = [\n"
                + "  { prefix = \"/service/\", upstream = \"" + u + "\", org = \"Acme\" }\n"
                + "  { prefix = \"/\", upstream = \"" + u + "\" }\n]\n"));
        // The "VPC" of the ALB variant, for the test: 127.0.0.3 plays the load balancer.
        testAlb = dir.resolve("realip-test-alb.conf");
        Files.writeString(testAlb, Files.readString(SHIPPED.resolve("realip-alb.conf")).replace("10.0.0.0/16", "127.0.0.3/32"));
        for (String realip : List.of("realip-alb.conf", "realip-cloudflare.conf")) {
            for (String up : List.of("upstream-single.conf", "upstream-ha.conf")) {
                nginx.configure(SHIPPED.resolve(realip), SHIPPED.resolve(up), Map.of());
                assertThat(nginx.test()).as("nginx -t with " + realip + " and " + up)
                        .contains("syntax is ok").contains("test is successful");
            }
        }
        configure(testAlb);
        nginx.start();
    }

    static void configure(Path realip) throws Exception {
        nginx.configure(realip, SHIPPED.resolve("upstream-single.conf"), Map.of(8080, gateway.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void clear() {
        upstream.clear();
    }

    @org.junit.jupiter.api.BeforeEach
    void needsNginx() {
        NginxRunner.assumeInstalled();
    }

    @Test
    void shippedCloudflareFileMatchesTheGatewaysSnapshot() throws Exception {
        String shipped = Files.readString(SHIPPED.resolve("realip-cloudflare.conf"));
        StringBuilder expected = new StringBuilder();
        CloudflareRanges ranges = CloudflareRanges.snapshot();
        ranges.networks().forEach(c -> expected.append("set_real_ip_from ").append(c).append(";\n"));
        assertThat(shipped).contains(expected).contains("real_ip_header CF-Connecting-IP;")
                .contains("snapshot: " + ranges.snapshotDate());
    }

    @Test
    void clientBehindTheLoadBalancerIsSeenByItsForwardedAddress() throws Exception {
        RawHttp.Response r = nginx.https("127.0.0.3", "GET /service/vault HTTP/1.1\r\nHost: app.example\r\n"
                + "X-Forwarded-For: 198.51.100.9\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("198.51.100.9");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(got.header("X-Gatehouse-Org")).isEqualTo("Acme");
    }

    @Test
    void forgedForwardingFromAnUntrustedAddressIsIgnoredAndThePolicyApplies() throws Exception {
        RawHttp.Response r = nginx.https("127.0.0.2", "GET /service/vault HTTP/1.1\r\nHost: app.example\r\n"
                + "X-Forwarded-For: 198.51.100.9\r\nX-Real-IP: 198.51.100.9\r\nCF-Connecting-IP: 198.51.100.9\r\n\r\n");
        assertThat(r.status()).as("the forger's own address is outside the office policy").isEqualTo(403);
        assertThat(Json.flat(r.body())).containsEntry("client_ip", "127.0.0.2");
        nginx.https("127.0.0.2", "GET /front HTTP/1.1\r\nHost: app.example\r\nX-Real-IP: 198.51.100.9\r\n\r\n");
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("127.0.0.2");
    }

    @Test
    void plainHttpRedirectsToHttps() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.2", nginx.httpPort())) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("https://app.example/x");
        }
    }

    @Test
    void cloudflareVariantIgnoresAForgedHeaderFromANonCloudflarePeer() throws Exception {
        // the shipped Cloudflare file: loopback is not Cloudflare, so CF-Connecting-IP must be ignored
        configure(SHIPPED.resolve("realip-cloudflare.conf"));
        nginx.reload();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            String seen = null;
            while (System.nanoTime() < deadline) {
                upstream.clear();
                nginx.https("127.0.0.3", "GET /front HTTP/1.1\r\nHost: app.example\r\nCF-Connecting-IP: 198.51.100.9\r\n"
                        + "X-Forwarded-For: 198.51.100.9\r\n\r\n");
                seen = upstream.take().header("X-Real-IP");
                if (seen.equals("127.0.0.3")) {
                    break; // the reloaded workers answer now
                }
                Thread.sleep(100);
            }
            assertThat(seen).isEqualTo("127.0.0.3");
        } finally {
            configure(testAlb);
            nginx.reload();
            Thread.sleep(500);
        }
    }
}
