package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LogCapture;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.NginxRunner;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TlsTestUpstream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS to an upstream that accepts only callers with a certificate from its CA (the JDK's HTTPS server,
 * certificates made by openssl): the gateway's configured client certificate gets through and the upstream
 * sees who called; no certificate, or one the upstream does not trust, is a 502; a certificate without its
 * key, or with another's, is refused at start with one line.
 */
class UpstreamClientCertificateIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TlsTestUpstream upstream;
    static Gateway withCertificate;
    static Gateway withoutCertificate;
    static Gateway withStranger;

    @BeforeAll
    static void start() throws Exception {
        upstream = TlsTestUpstream.requiringClientCertificates(dir);
        String common = "gatehouse.routes = [ { prefix = \"/m\", upstream = \"https://127.0.0.1:" + upstream.port() + "\" } ]\n"
                + "gatehouse.upstream.tls.ca-file = \"" + upstream.caFile() + "\"\n";
        withCertificate = Gateway.start(GatewayConfigs.load(dir, db.database(), common
                + clientCertificate(upstream.clientCertificateFile(), upstream.clientKeyFile())));
        withoutCertificate = Gateway.start(GatewayConfigs.load(dir, db.database(), common));
        withStranger = Gateway.start(GatewayConfigs.load(dir, db.database(), common
                + clientCertificate(upstream.strangerCertificateFile(), upstream.strangerKeyFile())));
    }

    static String clientCertificate(Path cert, Path key) {
        return "gatehouse.upstream.tls { certificate-file = \"" + cert + "\", key-file = \"" + key + "\" }\n";
    }

    @AfterAll
    static void stop() throws Exception {
        for (Gateway g : new Gateway[] {withCertificate, withoutCertificate, withStranger}) {
            if (g != null) {
                g.close();
            }
        }
        upstream.close();
    }

    private static RawHttp.Response get(Gateway g, String path) throws Exception {
        try (RawHttp c = new RawHttp(g.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
        }
    }

    @Test
    void theConfiguredClientCertificateGetsThroughAndTheUpstreamSeesWhoCalled() throws Exception {
        try (RawHttp c = new RawHttp(withCertificate.port())) {
            for (String path : new String[] {"/m/a", "/m/b"}) { // the second on the same (pooled) TLS connection
                RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("tls ok " + path + " host=app.example client=CN=gatehouse-gateway");
            }
        }
    }

    @Test
    void withoutACertificateTheUpstreamIsNotReached() throws Exception {
        LogCapture lines = LogCapture.of("dev.gatehouse.gateway.proxy.UpstreamPool");
        RawHttp.Response r;
        try (lines) {
            r = get(withoutCertificate, "/m/none");
            assertThat(get(withoutCertificate, "/m/again").status()).isEqualTo(502);
        }
        assertThat(lines.events()).as("two failures, one warning").hasSize(1);
        assertThat(lines.events().get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(lines.events().get(0).getFormattedMessage()).startsWith("TLS connection to 127.0.0.1:" + upstream.port()
                + " closed by the upstream before any answer; ").endsWith("(requests to it answer 502; logged once a minute"
                + " while it lasts)");
        assertThat(r.status()).isEqualTo(502);
        // TLS 1.3: the gateway's handshake is over before the upstream looks for a certificate; then it just closes
        assertThat(r.body()).contains("\"upstream closed the connection before responding: TLS connection to 127.0.0.1:"
                + upstream.port() + " closed by the upstream before any answer; an upstream that requires a client"
                + " certificate does this when it gets none it trusts (upstream.tls.certificate-file)\"");
    }

    @Test
    void aCertificateTheUpstreamDoesNotTrustIsNotEnough() throws Exception {
        RawHttp.Response r = get(withStranger, "/m/stranger");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).contains("TLS connection to 127.0.0.1:" + upstream.port() + " closed by the upstream before"
                + " any answer");
    }

    @Test
    void aRenewedCertificateIsUsedWithoutARestartAndABrokenOneChangesNothing() throws Exception {
        Path certificate = dir.resolve("rotating-client.pem");
        Path key = dir.resolve("rotating-client.key");
        replace(upstream.clientCertificateFile(), certificate);
        replace(upstream.clientKeyFile(), key);
        String route = "gatehouse.routes = [ { prefix = \"/m\", upstream = \"https://127.0.0.1:" + upstream.port() + "\" } ]\n";
        LogCapture lines = LogCapture.of("dev.gatehouse.gateway.proxy.UpstreamTlsWatcher");
        try (lines; Gateway rotating = Gateway.start(GatewayConfigs.load(dir, db.database(), route
                + "gatehouse.upstream.max-idle-per-loop = 0\n" // every request on a new TLS connection
                + "gatehouse.upstream.tls { ca-file = \"" + upstream.caFile() + "\", reload-interval = 100ms }\n"
                + clientCertificate(certificate, key)))) {
            assertThat(get(rotating, "/m/1").body()).endsWith(" client=CN=gatehouse-gateway");

            // the renewal: the key first, then the certificate (a check in between sees them unmatched: refused)
            replace(upstream.renewedKeyFile(), key);
            replace(upstream.renewedCertificateFile(), certificate);
            MetricsScrape.await(rotating, "gatehouse_upstream_tls_reloads_total", 1);
            assertThat(get(rotating, "/m/2").body()).endsWith(" client=CN=gatehouse-gateway-2");

            long failures = MetricsScrape.value(rotating, "gatehouse_upstream_tls_reload_failures_total");
            java.nio.file.Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
            replace(dir.resolve("garbage.pem"), certificate);
            MetricsScrape.await(rotating, "gatehouse_upstream_tls_reload_failures_total", failures + 2);
            assertThat(get(rotating, "/m/3").body()).as("the files in force stay").endsWith(" client=CN=gatehouse-gateway-2");
            assertThat(MetricsScrape.value(rotating, "gatehouse_upstream_tls_reloads_total")).isEqualTo(1);
        }
        assertThat(lines.messages(Level.INFO)).singleElement().asString()
                .startsWith("Upstream TLS files reloaded: CAs from " + upstream.caFile()
                        + ", client certificate CN=gatehouse-gateway-2 valid until ")
                .contains("; before: CAs from " + upstream.caFile() + ", client certificate CN=gatehouse-gateway valid until ");
        assertThat(lines.messages(Level.WARN)).last().asString()
                .startsWith("Upstream TLS files not reloaded (still in force: CAs from " + upstream.caFile()
                        + ", client certificate CN=gatehouse-gateway-2 valid until ")
                .contains("): configuration: gatehouse.upstream.tls.certificate-file: " + certificate);
    }

    /** As a certificate manager writes a file: a copy beside it, then a rename over it. */
    private static void replace(Path from, Path to) throws Exception {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        java.nio.file.Files.copy(from, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.move(tmp, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aCertificateNeedsItsOwnKeyInAFormTheGatewayReads() throws Exception {
        String route = "gatehouse.routes = [ { prefix = \"/m\", upstream = \"https://127.0.0.1:" + upstream.port() + "\" } ]\n";
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(), route
                + "gatehouse.upstream.tls.certificate-file = \"" + upstream.clientCertificateFile() + "\"\n")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.upstream.tls.certificate-file: a client certificate needs"
                        + " both certificate-file and key-file (key-file is not set) (")
                // pointed at the line the configuration gives, not at reference.conf's empty default
                .hasMessageMatching(".*\\(" + java.util.regex.Pattern.quote(dir.toString()) + "/gatehouse-\\d+\\.conf:\\d+\\)");
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(), route
                + clientCertificate(upstream.clientCertificateFile(), upstream.strangerKeyFile()))))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.upstream.tls.key-file: " + upstream.strangerKeyFile()
                        + " is not the key of the certificate in " + upstream.clientCertificateFile() + " (CN=gatehouse-gateway)");
        Path pkcs1 = dir.resolve("client-pkcs1.key");
        NginxRunner.run("openssl", "rsa", "-in", upstream.clientKeyFile().toString(), "-traditional", "-out", pkcs1.toString());
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(), route
                + clientCertificate(upstream.clientCertificateFile(), pkcs1))))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.upstream.tls.key-file: " + pkcs1 + " is not an unencrypted"
                        + " PKCS#8 PEM key (a PKCS#1/SEC1 key: convert it with openssl pkcs8 -topk8 -nocrypt)");
        Path missing = dir.resolve("nowhere.pem");
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(), route
                + clientCertificate(missing, upstream.clientKeyFile()))))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.upstream.tls.certificate-file: cannot read " + missing);
    }
}
