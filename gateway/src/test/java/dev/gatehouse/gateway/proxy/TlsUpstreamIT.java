package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LogCapture;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TlsTestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * https:// upstreams against a real TLS server (the JDK's, certificate from a test CA made by openssl):
 * trusted by the configured CA and named by address, the request goes through on a kept-alive TLS
 * connection; an untrusted chain, or a certificate that does not name the host, is a 502 that says so.
 */
class TlsUpstreamIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TlsTestUpstream upstream;
    static Gateway trusting;
    static Gateway jvmTrustOnly;
    static Gateway noHostCheck;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TlsTestUpstream(dir);
        String byAddress = "https://127.0.0.1:" + upstream.port();
        String byName = "https://localhost:" + upstream.port();
        String ca = "gatehouse.upstream.tls.ca-file = \"" + upstream.caFile() + "\"\n";
        String routes = "gatehouse.routes = [ { prefix = \"/ip\", upstream = \"" + byAddress + "\" },"
                + " { prefix = \"/name\", upstream = \"" + byName + "\" } ]\n";
        trusting = Gateway.start(GatewayConfigs.load(dir, db.database(), ca + routes));
        jvmTrustOnly = Gateway.start(GatewayConfigs.load(dir, db.database(), routes));
        noHostCheck = Gateway.start(GatewayConfigs.load(dir, db.database(),
                ca + "gatehouse.upstream.tls.verify-hostname = false\n" + routes));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Gateway g : new Gateway[] {trusting, jvmTrustOnly, noHostCheck}) {
            if (g != null) {
                g.close();
            }
        }
        upstream.close();
    }

    @Test
    void aTrustedUpstreamNamedByItsAddressServesOverOneKeptAliveConnection() throws Exception {
        try (RawHttp c = new RawHttp(trusting.port())) {
            for (String path : new String[] {"/ip/a", "/ip/b"}) {
                RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("tls ok " + path + " host=app.example");
            }
        }
        String origin = "{upstream=\"https://127.0.0.1:" + upstream.port() + "\"}";
        assertThat(dev.gatehouse.gateway.testing.MetricsScrape.samples(trusting.managementPort()))
                .containsEntry("gatehouse_upstream_connections_opened_total" + origin, 1.0)
                .containsEntry("gatehouse_upstream_connections_reused_total" + origin, 1.0);
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsA502SayingSo() throws Exception {
        RawHttp.Response r = get(trusting, "/name/a");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).contains("upstream connection failed: TLS handshake with localhost:" + upstream.port()
                + " failed: No name matching localhost found");
    }

    @Test
    void aChainTheGatewayDoesNotTrustIsA502SayingSoAndALogLineAMinute() throws Exception {
        LogCapture lines = LogCapture.of("dev.gatehouse.gateway.proxy.UpstreamPool");
        try (lines) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = get(jvmTrustOnly, "/ip/a");
                assertThat(r.status()).isEqualTo(502);
                assertThat(r.body()).contains("TLS handshake with 127.0.0.1:" + upstream.port() + " failed: ")
                        .contains("unable to find valid certification path to requested target");
            }
        }
        assertThat(lines.events()).as("three failures, one warning").hasSize(1);
        assertThat(lines.events().get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(lines.events().get(0).getFormattedMessage()).startsWith("TLS handshake with 127.0.0.1:" + upstream.port()
                + " failed: ").endsWith("(requests to it answer 502; logged once a minute while it lasts)");
    }

    @Test
    void withTheHostCheckOffTheChainAloneDecides() throws Exception {
        assertThat(get(noHostCheck, "/name/a").status()).isEqualTo(200);
        assertThat(get(jvmTrustOnly, "/name/a").status()).as("still an untrusted chain").isEqualTo(502);
    }

    @Test
    void httpsUrlsAndTheCaFileAreCheckedAtStart() throws Exception {
        Upstream u = Upstream.parse("https://vault.internal/base");
        assertThat(u.tls()).isTrue();
        assertThat(u.port()).isEqualTo(443);
        assertThat(u.authority()).isEqualTo("vault.internal");
        assertThat(Upstream.parse("https://vault.internal:8443").toString()).isEqualTo("https://vault.internal:8443");
        assertThat(Upstream.parse("http://vault.internal:443").authority()).isEqualTo("vault.internal:443");
        assertThatThrownBy(() -> Upstream.parse("ftp://vault.internal"))
                .hasMessage("expected an http:// or https:// URL (or \"demo\"), got 'ftp://vault.internal'");

        assertThatThrownBy(() -> GatewaySettings.from(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream.tls.ca-file = \"" + dir.resolve("missing.pem") + "\"")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.upstream.tls.ca-file: cannot read "
                        + dir.resolve("missing.pem") + " (NoSuchFileException)");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        assertThatThrownBy(() -> GatewaySettings.from(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream.tls.ca-file = \"" + notPem + "\"")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.upstream.tls.ca-file: ");
    }

    private static RawHttp.Response get(Gateway g, String path) throws Exception {
        try (RawHttp c = new RawHttp(g.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
        }
    }
}
