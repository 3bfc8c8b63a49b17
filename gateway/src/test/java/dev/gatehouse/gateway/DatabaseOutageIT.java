package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
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
 * The database server stops while requests flow: the gateway keeps enforcing its last snapshot,
 * says "degraded", spools audit events, and once the server is back every event is in
 * access_events exactly once. Runs its own PostgreSQL (stopped and restarted on the same data).
 */
class DatabaseOutageIT {
    @TempDir
    Path dir;

    private EmbeddedPostgres startPostgres(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void requestsFlowOnTheSnapshotAndEveryAuditEventArrivesOnce() throws Exception {
        Path data = dir.resolve("pg");
        int port = freePort();
        EmbeddedPostgres pg = startPostgres(data, port);
        TestDatabase db = new TestDatabase("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
        new Migrations(db.dataSource()).migrate();
        Fixtures f = new Fixtures(db);
        UUID acme = f.org("Acme");
        f.policy(acme, "office", true, "allow 203.0.113.0/24");
        Path spoolDir = dir.resolve("spool");

        try (TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db,
                     "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                             + "gatehouse.database.pool.connection-timeout = 500ms\n"
                             + "gatehouse.management.check-interval = 200ms\n"
                             + "gatehouse.audit.spool-dir = \"" + spoolDir + "\"\n"
                             + "gatehouse.routes = [ { prefix = \"/site/\", upstream = \"http://127.0.0.1:"
                             + upstream.port() + "\", org = \"Acme\" } ]\n"))) {
            int sent = 0;
            for (int i = 0; i < 20; i++, sent++) {
                assertThat(call(gateway, "203.0.113." + (i + 1)).status()).isEqualTo(200);
            }
            pg.close(); // the database server goes away
            int during = 0;
            long outageEnd = System.nanoTime() + 60_000_000_000L; // a minute without the database
            while (System.nanoTime() < outageEnd) {
                assertThat(call(gateway, "203.0.113.50").status()).as("allowed on the last snapshot").isEqualTo(200);
                assertThat(call(gateway, "192.0.2.50").status()).as("denied on the last snapshot").isEqualTo(403);
                sent += 2;
                during += 2;
                Thread.sleep(20);
            }
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.managementPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(Json.flat(ready.body())).containsEntry("status", "degraded");
            assertThat(dev.gatehouse.gateway.audit.SpoolContents.pending(spoolDir)).as("events spooled").isTrue();

            pg = startPostgres(data, port); // back, same data
            long deadline = System.nanoTime() + 30_000_000_000L;
            long count = 0;
            while (System.nanoTime() < deadline) {
                count = (Long) db.queryValue("SELECT count(*) FROM access_events");
                if (count >= sent && !dev.gatehouse.gateway.audit.SpoolContents.pending(spoolDir)) {
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(500);
            System.out.printf("outage: %d requests in all, %d during the outage; %d access events after recovery%n",
                    sent, during, (Long) db.queryValue("SELECT count(*) FROM access_events"));
            assertThat((Long) db.queryValue("SELECT count(*) FROM access_events")).isEqualTo((long) sent);
            assertThat((Long) db.queryValue("SELECT count(DISTINCT event_id) FROM access_events")).isEqualTo((long) sent);
            assertThat((Long) db.queryValue("SELECT count(*) FROM access_events WHERE decision = 'deny'")).isEqualTo(during / 2L);
        } finally {
            pg.close();
        }
    }

    private static RawHttp.Response call(Gateway g, String clientIp) throws Exception {
        try (RawHttp c = new RawHttp(g.port())) {
            return c.send("GET /site/x HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + clientIp + "\r\n\r\n").read();
        }
    }
}
