package dev.gatehouse.bench;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.core.net.IpAddress;
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
 * Usage ({@code -Dbatch=N} sets the batch size, default 1000; {@code -Drate=N} paces the events at N per second,
 * as a gateway under load would offer them, rather than as fast as the writer takes them; {@code -Dprepare=SQL}
 * runs SQL after the migrations, for experiments on the schema; {@code -Dpg.NAME=VALUE} sets a setting of the embedded
 * server): {@code java -cp bench/target/benchmarks.jar
 * dev.gatehouse.bench.AuditWriterThroughput [events] [jdbc-url user password]}; without a URL it runs
 * an embedded PostgreSQL 17 (fsync on, as in production).
 */
public final class AuditWriterThroughput {
    /** USER_HZ: the unit of /proc/[pid]/stat's times; 100 on every Linux this runs on. */
    private static final int TICKS_PER_SECOND = 100;

    /**
     * User and system CPU ticks of the processes named postgres (Linux /proc): what the database spends,
     * steadier than events/s on a shared machine. Backends that exit during the run are not counted;
     * the writer's pooled connections live throughout.
     */
    static long postgresTicks() throws java.io.IOException {
        long sum = 0;
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                try {
                    if (!Files.readString(d.resolve("comm")).strip().equals("postgres")) {
                        continue;
                    }
                    String stat = Files.readString(d.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
                } catch (java.io.IOException | RuntimeException gone) {
                    // the process ended between listing and reading
                }
            }
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = Integer.getInteger("batch", 1000);
        int rate = Integer.getInteger("rate", 0);
        EmbeddedPostgres pg = null;
        String url;
        String user;
        String password;
        if (args.length > 3) {
            url = args[1];
            user = args[2];
            password = args[3];
        } else {
            var builder = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on");
            for (String name : System.getProperties().stringPropertyNames()) {
                if (name.startsWith("pg.")) {
                    builder.setServerConfig(name.substring(3), System.getProperty(name));
                }
            }
            pg = builder.start();
            url = pg.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        DatabaseSettings s = new DatabaseSettings(url, user, password, false, 4, Duration.ofSeconds(5),
                Path.of("/nonexistent"), 0, Duration.ofSeconds(30));
        Path spool = Files.createTempDirectory("gatehouse-bench-spool");
        try (Database db = Database.open(s, "bench")) {
            new Migrations(db.dataSource()).migrate();
            String prepare = System.getProperty("prepare");
            if (prepare != null) {
                try (Connection c = db.connection()) {
                    c.createStatement().execute(prepare);
                }
            }
            AuditWriter w = AuditWriter.start(db, new dev.gatehouse.gateway.config.AuditSettings(true, 200_000, batch,
                    Duration.ofMillis(100), Duration.ofMillis(200), spool, 1L << 30, 32L << 20, Duration.ofMinutes(1),
                    Duration.ofHours(24)));
            UUID org = UUID.randomUUID();
            IpAddress[] clients = new IpAddress[256];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = IpAddress.v4(0xc6336400 | i); // 198.51.100.i
            }
            IpAddress peer = IpAddress.parse("10.0.0.1");
            long pgTicks0 = postgresTicks();
            long t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                if (rate > 0 && (i & 63) == 0) {
                    long due = t0 + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                AuditEvent e = AuditEvent.request(Instant.now().truncatedTo(ChronoUnit.MICROS), EventIds.next(), org, null,
                        null, clients[i & 255], peer, "GET", "/api/v1/secrets", 200, "allow", null,
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
            long pgTicks = postgresTicks() - pgTicks0;
            w.close();
            try (Connection c = db.connection(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM access_events")) {
                rs.next();
                System.out.printf("%d events written in %.2f s, batches of %d: %.0f events/s (rows in access_events: %d)%n",
                        events, nanos / 1e9, batch, events / (nanos / 1e9), rs.getLong(1));
                System.out.printf("%d COPY batches, %.1f events per batch%n", w.batches(),
                        (double) events / w.batches());
                System.out.printf("PostgreSQL CPU: %.1f µs per event (every process named postgres on this machine)%n",
                        pgTicks * 1e6 / TICKS_PER_SECOND / events);
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }
}
