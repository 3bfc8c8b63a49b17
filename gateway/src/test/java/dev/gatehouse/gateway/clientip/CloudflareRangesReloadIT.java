package dev.gatehouse.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LogCapture;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Cloudflare ranges file changed under running gateways: the new list is believed for new requests and
 * connections (trusted proxies, CF-Connecting-IP's setters, PROXY protocol senders), ranges taken out stop
 * being believed, and a file that does not parse — or is gone — changes nothing but a counter and one WARN
 * per problem. Loopback stands in for Cloudflare's edge: it is trusted exactly when the file lists it.
 */
class CloudflareRangesReloadIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static Path ranges;
    static TestUpstream upstream;
    static Gateway behindCloudflare;   // trusted-proxies = [cloudflare], CF-Connecting-IP first
    static Gateway proxyProtocol;      // proxy-protocol-senders = [cloudflare]

    @BeforeAll
    static void start() throws Exception {
        ranges = dir.resolve("cloudflare-ranges.txt");
        replace("# snapshot: first\n203.0.113.0/24\n2400:cb00::/32\n");
        upstream = new TestUpstream();
        String common = "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"
                + "gatehouse.client-ip { cloudflare-ranges-file = \"" + ranges + "\", cloudflare-ranges-check-interval = 100ms }\n";
        behindCloudflare = Gateway.start(GatewayConfigs.load(dir, db.database(), common
                + "gatehouse.client-ip { trusted-proxies = [cloudflare], headers = [\"CF-Connecting-IP\", \"X-Forwarded-For\"] }\n"));
        proxyProtocol = Gateway.start(GatewayConfigs.load(dir, db.database(), common
                + "gatehouse.listen { proxy-protocol = true, proxy-protocol-senders = [cloudflare] }\n"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {behindCloudflare, proxyProtocol, upstream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** As `gatehouse-admin cloudflare-ranges --update` writes it: a temporary file, then a rename. */
    static void replace(String text) throws Exception {
        Path tmp = dir.resolve("cloudflare-ranges.txt.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, ranges, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aChangedListIsAppliedWithoutARestartAndABadOneChangesNothing() throws Exception {
        LogCapture lines = LogCapture.of("dev.gatehouse.gateway.clientip.CloudflareRangesWatcher");
        try (lines) {
            // Loopback is not Cloudflare yet: its CF-Connecting-IP is a forgery, its PROXY header unheard.
            assertThat(clientSeenBehindCloudflare()).isEqualTo("127.0.0.1");
            assertThat(proxyProtocolClient()).isNull();
            assertThat(MetricsScrape.value(behindCloudflare, "gatehouse_cloudflare_ranges_networks")).isEqualTo(2);

            replace("# snapshot: second\n203.0.113.0/24\n127.0.0.0/8\n2400:cb00::/32\n");
            MetricsScrape.await(behindCloudflare, "gatehouse_cloudflare_ranges_reloads_total", 1);
            MetricsScrape.await(proxyProtocol, "gatehouse_cloudflare_ranges_reloads_total", 1);
            assertThat(clientSeenBehindCloudflare()).as("the edge's header is now believed").isEqualTo("198.51.100.9");
            assertThat(proxyProtocolClient()).as("the edge may now send PROXY headers").isEqualTo("198.51.100.10");
            assertThat(MetricsScrape.value(behindCloudflare, "gatehouse_cloudflare_ranges_networks")).isEqualTo(3);

            // A line that is not a network: nothing applied, however many checks see it; one WARN.
            replace("# snapshot: broken\n127.0.0.0/8\n<html>maintenance</html>\n");
            awaitFailures(3);
            assertThat(clientSeenBehindCloudflare()).as("the list in force stays").isEqualTo("198.51.100.9");
            assertThat(MetricsScrape.value(behindCloudflare, "gatehouse_cloudflare_ranges_networks")).isEqualTo(3);
            // A list that would trust every address is refused as it is at start.
            replace("# snapshot: everything\n0.0.0.0/0\n");
            awaitFailures(2);
            assertThat(clientSeenBehindCloudflare()).isEqualTo("198.51.100.9");
            // The file gone: the same.
            Files.delete(ranges);
            awaitFailures(2);
            assertThat(proxyProtocolClient()).isEqualTo("198.51.100.10");
            assertThat(MetricsScrape.value(behindCloudflare, "gatehouse_cloudflare_ranges_reloads_total")).isEqualTo(1);

            // Loopback taken out again: no longer believed, on either listener.
            replace("# snapshot: third\n203.0.113.0/24\n");
            MetricsScrape.await(behindCloudflare, "gatehouse_cloudflare_ranges_reloads_total", 2);
            MetricsScrape.await(proxyProtocol, "gatehouse_cloudflare_ranges_reloads_total", 2);
            assertThat(clientSeenBehindCloudflare()).isEqualTo("127.0.0.1");
            assertThat(proxyProtocolClient()).isNull();
            assertThat(MetricsScrape.value(behindCloudflare, "gatehouse_cloudflare_ranges_networks")).isEqualTo(1);
        }
        // Per gateway: a line per reload (two), a WARN per distinct problem (three), however many checks.
        assertThat(lines.messages(Level.WARN)).hasSize(6);
        assertThat(lines.messages(Level.INFO)).hasSize(4);
        assertThat(lines.messages(Level.WARN))
                .anySatisfy(m -> assertThat(m).startsWith("Cloudflare ranges not reloaded (still in force: 3 networks from " + ranges
                        + " (snapshot second)): " + ranges + " line 3: '<html>maintenance<' is not a valid address"))
                .anySatisfy(m -> assertThat(m).startsWith("Cloudflare ranges not reloaded (still in force: 3 networks from " + ranges
                        + " (snapshot second)): configuration: gatehouse.client-ip.trusted-proxies: trusting every address"))
                .anySatisfy(m -> assertThat(m).startsWith("Cloudflare ranges not reloaded (still in force: 3 networks from " + ranges
                        + " (snapshot second)): configuration: gatehouse.client-ip.cloudflare-ranges-file: " + ranges
                        + ": trusting every address"))
                .anySatisfy(m -> assertThat(m).startsWith("Cloudflare ranges not reloaded (still in force: 3 networks from " + ranges
                        + " (snapshot second)): cannot read " + ranges + ": no such file"));
        assertThat(lines.messages(Level.INFO))
                .contains("Cloudflare ranges reloaded: 1 networks from " + ranges + " (snapshot third); before: 3 networks from "
                        + ranges + " (snapshot second)");
    }

    @Test
    void theCheckIntervalIsCheckedAtStart() {
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.client-ip.cloudflare-ranges-check-interval = -1s\n")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.client-ip.cloudflare-ranges-check-interval: must not be negative (0: never)");
    }

    /** Both gateways' failed checks grown by {@code checks} from now: each has seen the file as it is. */
    private static void awaitFailures(int checks) throws Exception {
        String name = "gatehouse_cloudflare_ranges_reload_failures_total";
        long a = MetricsScrape.value(behindCloudflare, name);
        long b = MetricsScrape.value(proxyProtocol, name);
        MetricsScrape.await(behindCloudflare, name, a + checks);
        MetricsScrape.await(proxyProtocol, name, b + checks);
    }

    /** X-Real-IP as the upstream saw it, for a request from loopback saying it came through Cloudflare. */
    private static String clientSeenBehindCloudflare() throws Exception {
        upstream.clear();
        try (RawHttp c = new RawHttp("127.0.0.1", behindCloudflare.port())) {
            assertThat(c.send("GET /who HTTP/1.1\r\nHost: app.example\r\nCF-Connecting-IP: 198.51.100.9\r\n\r\n")
                    .read().status()).isEqualTo(200);
        }
        return upstream.take().header("X-Real-IP");
    }

    /** X-Real-IP for a PROXY protocol connection from loopback; null when the connection was closed unread. */
    private static String proxyProtocolClient() throws Exception {
        upstream.clear();
        try (RawHttp c = new RawHttp("127.0.0.1", proxyProtocol.port())) {
            RawHttp.Response r;
            try {
                r = c.send("PROXY TCP4 198.51.100.10 127.0.0.1 40000 443\r\nGET /v1 HTTP/1.1\r\nHost: x\r\n\r\n").read();
            } catch (java.io.IOException closed) { // closed before a response, or reset under the send
                assertThat(upstream.nothingReceived()).isTrue();
                return null;
            }
            assertThat(r.status()).isEqualTo(200);
        }
        return upstream.take().header("X-Real-IP");
    }
}
