package dev.gatehouse.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Routes by host over real sockets: the request's own Host decides, never a forwarded one. */
class HostRoutingIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void theRequestsOwnHostPicksTheRouteAndForwardedHostsAreIgnored() throws Exception {
        try (TestUpstream acme = new TestUpstream(); TestUpstream tenants = new TestUpstream(); TestUpstream rest = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), "gatehouse.routes = [\n"
                     + "  { hosts = [\"acme.example.com\"], prefix = \"/\", upstream = \"http://127.0.0.1:" + acme.port() + "\" }\n"
                     + "  { hosts = [\"*.example.com\"], prefix = \"/\", upstream = \"http://127.0.0.1:" + tenants.port() + "\" }\n"
                     + "  { prefix = \"/\", upstream = \"http://127.0.0.1:" + rest.port() + "\" }\n"
                     + "]\n"))) {
            try (RawHttp c = new RawHttp(gateway.port())) {
                assertThat(c.send("GET /a HTTP/1.1\r\nHost: ACME.example.com:8443\r\n\r\n").read().status()).isEqualTo(200);
                assertThat(acme.take().uri()).isEqualTo("/a");
                assertThat(c.send("GET /b HTTP/1.1\r\nHost: globex.example.com\r\n\r\n").read().status()).isEqualTo(200);
                assertThat(tenants.take().uri()).isEqualTo("/b");
                assertThat(c.send("GET http://acme.example.com/c HTTP/1.1\r\nHost: other.test\r\n\r\n").read().status())
                        .as("an absolute-form target's authority is the request's host").isEqualTo(200);
                assertThat(acme.take().uri()).isEqualTo("/c");
                assertThat(c.send("GET /d HTTP/1.1\r\nHost: other.test\r\nX-Forwarded-Host: acme.example.com\r\n"
                        + "Forwarded: host=acme.example.com\r\n\r\n").read().status()).isEqualTo(200);
                assertThat(rest.take().uri()).as("a forwarded host does not route").isEqualTo("/d");
            }
            assertThat(acme.nothingReceived()).isTrue();
            assertThat(tenants.nothingReceived()).isTrue();
            MetricsScrape.await(gateway, "gatehouse_requests_total{route=\"acme.example.com/\",status=\"2xx\"}", 2);
            MetricsScrape.await(gateway, "gatehouse_requests_total{route=\"*.example.com/\",status=\"2xx\"}", 1);
        }
    }
}
