package dev.gatehouse.bench;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.gateway.audit.AuditEvent;
import dev.gatehouse.gateway.audit.AuditWriter;
import dev.gatehouse.gateway.audit.EventIds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Audit events per second into PostgreSQL through the real AuditWriter (one COPY per batch).
 * Usage ({@code -Dbatch=N} sets the batch size, default 1000): {@code java -cp bench/target/benchmarks.jar
 * dev.gatehouse.bench.AuditWriterThroughput [events] [jdbc-url user password]}; without a URL it runs
 * an embedded PostgreSQL 17 (fsync on, as in production).
 */
public final class AuditWriterThroughput {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = Integer.getInteger("batch", 1000);
        EmbeddedPostgres pg = null;
        String url;
        String user;
        String password;
        if (args.length > 3) {
            url = args[1];
            user = args[2];
            password = args[3];
        } else {
            pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start();
            url = pg.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        DatabaseSettings s = new DatabaseSettings(url, user, password, false, 4, Duration.ofSeconds(5),
                Path.of("/nonexistent"), 0, Duration.ofSeconds(30));
        Path spool = Files.createTempDirectory("gatehouse-bench-spool");
        try (Database db = Database.open(s, "bench")) {
            new Migrations(db.dataSource()).migrate();
            AuditWriter w = new AuditWriter(db, 200_000, batch, Duration.ofMillis(100), spool, Duration.ofMinutes(1));
            UUID org = UUID.randomUUID();
            long t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                AuditEvent e = AuditEvent.request(Instant.now().truncatedTo(ChronoUnit.MICROS), EventIds.next(), org, null,
                        null, "198.51.100." + (i & 255), "10.0.0.1", "GET", "/api/v1/secrets", 200, "allow", null,
                        "bench/1.0", Long.toHexString(i));
                while (w.queueDepth() > 150_000) {
                    Thread.onSpinWait(); // the benchmark waits for the writer; the gateway would drop and count
                }
                w.offer(e);
            }
            while (w.written() < events) {
                Thread.sleep(5);
            }
            long nanos = System.nanoTime() - t0;
            w.close();
            try (Connection c = db.connection(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM access_events")) {
                rs.next();
                System.out.printf("%d events written in %.2f s, batches of %d: %.0f events/s (rows in access_events: %d)%n",
                        events, nanos / 1e9, batch, events / (nanos / 1e9), rs.getLong(1));
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }
}
