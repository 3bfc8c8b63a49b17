package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway started while its database is unreachable: it serves unbound routes, answers 503 on
 * policy-bound ones and is not ready; once the database appears it migrates it, loads the policies
 * and enforces them.
 */
class StartWithoutDatabaseIT {
    @TempDir
    Path dir;

    /**
     * With the pool's default timeout (5 s): a start that finds the database away does not wait on it (it took
     * ~10.7 s: the schema check and the first readiness check each waited out the pool's timeout).
     */
    @Test
    void aStartWithoutTheDatabaseDoesNotWaitForIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestDatabase absent = new TestDatabase("postgres", "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        long t0 = System.nanoTime();
        try (Gateway gateway = Gateway.start(GatewayConfigs.load(dir, absent, ""))) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("start without the database: listening after %d ms%n", ms);
            assertThat(ms).as("listening without waiting out the pool's 5 s timeout").isLessThan(4000);
            assertThat(readyz(gateway).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void startsFailStaticThenCatchesUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestDatabase absent = new TestDatabase("postgres", "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        try (TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, absent,
                     "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                             + "gatehouse.database.pool.connection-timeout = 300ms\n"
                             + "gatehouse.policies.reconnect-max-backoff = 300ms\n"
                             + "gatehouse.routes = [\n"
                             + "  { prefix = \"/site/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\", org = \"Acme\" }\n"
                             + "  { prefix = \"/open/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" }\n"
                             + "]\n"))) {
            assertThat(call(gateway, "/open/x", "192.0.2.1").status()).isEqualTo(200);
            RawHttp.Response waiting = call(gateway, "/site/x", "203.0.113.5");
            assertThat(waiting.status()).isEqualTo(503);
            assertThat(waiting.body()).contains("network policies are not loaded yet");
            assertThat(readyz(gateway).statusCode()).isEqualTo(503);

            EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(port).start();
            try {
                TestDatabase db = new TestDatabase("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (readyz(gateway).statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(readyz(gateway).statusCode()).as("migrated by the gateway, policies loaded").isEqualTo(200);
                Fixtures f = new Fixtures(db);
                UUID acme = f.org("Acme");
                f.policy(acme, "office", true, "allow 203.0.113.0/24");
                deadline = System.nanoTime() + 10_000_000_000L;
                int status = 0;
                while (System.nanoTime() < deadline && (status = call(gateway, "/site/x", "203.0.113.5").status()) != 200) {
                    Thread.sleep(50);
                }
                assertThat(status).isEqualTo(200);
                // the fixture writes the policy and its entry in separate transactions: wait for the last
                while (System.nanoTime() < deadline && (status = call(gateway, "/site/x", "192.0.2.1").status()) != 403) {
                    Thread.sleep(50);
                }
                assertThat(status).isEqualTo(403);
                assertThat(call(gateway, "/site/x", "203.0.113.5").status()).isEqualTo(200);
            } finally {
                pg.close();
            }
        }
    }

    private static HttpResponse<String> readyz(Gateway g) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.managementPort()
                + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RawHttp.Response call(Gateway g, String path, String clientIp) throws Exception {
        try (RawHttp c = new RawHttp(g.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + clientIp + "\r\n\r\n").read();
        }
    }
}
