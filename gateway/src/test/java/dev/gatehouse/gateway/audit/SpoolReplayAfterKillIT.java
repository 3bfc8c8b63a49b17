package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.GatehouseMain;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL while the database is away: the audit events it had spooled to disk
 * are written by the next gateway that starts with the same spool directory, exactly once.
 */
class SpoolReplayAfterKillIT {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void spooledEventsSurviveAKill() throws Exception {
        Path data = dir.resolve("pg");
        int pgPort = freePort();
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();
        Process child = null;
        try (TestUpstream upstream = new TestUpstream()) {
            TestDatabase db = new TestDatabase("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
            new Migrations(db.dataSource()).migrate();
            UUID acme = new Fixtures(db).org("Acme");
            new Fixtures(db).policy(acme, "office", true, "allow 203.0.113.0/24");
            Path spool = dir.resolve("spool");
            int port = freePort();
            String extra = "gatehouse.listen.port = " + port + "\n"
                    + "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                    + "gatehouse.database.pool.connection-timeout = 300ms\n"
                    + "gatehouse.audit.spool-dir = \"" + spool + "\"\n"
                    + "gatehouse.routes = [ { prefix = \"/site/\", upstream = \"http://127.0.0.1:" + upstream.port()
                    + "\", org = \"Acme\" } ]\n";
            Path config = GatewayConfigs.write(dir, db, extra);
            child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), GatehouseMain.class.getName(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            awaitServing(port, child);

            pg.close(); // the database goes away
            int sent = 40;
            for (int i = 0; i < sent; i++) {
                try (RawHttp c = new RawHttp(port)) {
                    assertThat(c.send("GET /site/x HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113." + (i + 1)
                            + "\r\n\r\n").read().status()).isEqualTo(200);
                }
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline && SpoolContents.events(spool) < sent) {
                Thread.sleep(100);
            }
            assertThat(SpoolContents.events(spool)).as("every event spooled before the kill").isEqualTo(sent);

            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            assertThat(child.exitValue()).isEqualTo(137);

            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();
            try (Gateway next = Gateway.start(GatewayConfigs.load(dir, db, extra.replace("listen.port = " + port,
                    "listen.port = 0")))) {
                long until = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < until && (Long) db.queryValue("SELECT count(*) FROM access_events") < sent) {
                    Thread.sleep(100);
                }
                Thread.sleep(300);
                assertThat((Long) db.queryValue("SELECT count(*) FROM access_events")).isEqualTo((long) sent);
                assertThat((Long) db.queryValue("SELECT count(DISTINCT event_id) FROM access_events")).isEqualTo((long) sent);
                assertThat(SpoolContents.pending(spool)).as("the replayed spool is deleted").isFalse();
            }
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            pg.close();
        }
    }

    static void awaitServing(int port, Process child) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError("the gateway process exited");
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the gateway process did not listen on " + port);
    }

}
