package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three ways an event reaches access_events — the binary COPY of every batch, the spool file, and the
 * spool's idempotent INSERT replay — store the same values, whatever the addresses, text and times.
 */
class AuditWriterIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    @TempDir
    Path dir;

    static final String COLUMNS = "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), org_id, app_id, account_id,"
            + " host(client_ip), masklen(client_ip), family(client_ip), host(peer_ip), method, path, status, decision,"
            + " policy_id, user_agent, request_id, event_type, event_count";

    /** Events of every shape the gateway produces, each under the given marker in request_id. */
    static List<AuditEvent> events(String marker) {
        UUID org = new UUID(0x1111, 1);
        UUID app = new UUID(0x2222, 2);
        UUID account = new UUID(0x3333, 3);
        UUID policy = new UUID(0x4444, 4);
        Instant t = Instant.parse("2026-11-25T18:00:00.123456Z");
        List<AuditEvent> out = new ArrayList<>();
        out.add(AuditEvent.request(t, EventIds.next(), org, app, account, IpAddress.parse("203.0.113.7"),
                IpAddress.parse("10.0.0.1"), "GET", "/api/v1/secrets", 200, "allow", policy, "curl/8.0", marker + "-v4"));
        out.add(AuditEvent.request(t.plusNanos(1000), EventIds.next(), org, null, null, IpAddress.parse("2001:db8::17"),
                IpAddress.parse("::1"), "POST", "/ünïcode/😀", 403, "deny", policy, "Mozilla/5.0 (X11; Linux) \"quoted\"",
                marker + "-v6"));
        out.add(AuditEvent.request(t.plusSeconds(1), EventIds.next(), null, null, null, IpAddress.parse("::ffff:192.0.2.1"),
                null, "GET", "/a\\b\tc\nd", 0, "deny", null, "x\u0001y\u0000z", marker + "-cut"));
        out.add(AuditEvent.request(Instant.parse("1999-12-31T23:59:59.999999Z"), EventIds.next(), org, null, null,
                IpAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), IpAddress.parse("255.255.255.255"), "DELETE",
                "/", 599, "allow", null, null, marker + "-old"));
        out.add(new AuditEvent(t.minusSeconds(60), EventIds.next(), org, app, account, IpAddress.parse("198.51.100.9"), null,
                null, null, 0, "allow", policy, null, marker + "-agg", "aggregate", 42));
        return out;
    }

    static List<String> rows(TestDatabase d, String marker) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = d.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT " + COLUMNS
                + " FROM access_events WHERE request_id LIKE '" + marker + "-%' ORDER BY request_id")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(sb.toString().replace(marker, "M"));
            }
        }
        return out;
    }

    @Test
    void binaryCopySpoolAndReplayStoreTheSameValues() throws Exception {
        TestDatabase d = db.database();
        try (Database database = Database.open(TestDatabases.settings(d), "audit-writer-test")) {
            AuditWriter writer = writer(database, "spool");
            try {
                for (AuditEvent e : events("copy")) {
                    assertThat(writer.offer(e)).isTrue();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (writer.written() < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(writer.written()).isEqualTo(5);
                assertThat(writer.spooled()).as("went by COPY, not the spool").isZero();
                assertThat(writer.batches()).as("one COPY, or more if the writer looked in between").isBetween(1L, 5L);
                assertThat(writer.copyNanos()).as("a COPY's round trip takes time").isPositive();

                AuditSpool spool = spool(dir.resolve("other-spool"));
                spool.append(events("replay"));
                AuditDatabase direct = new AuditDatabase(database, Duration.ofSeconds(5));
                direct.insert(readAll(spool));
                direct.close();
            } finally {
                writer.close();
            }
        }
        List<String> copied = rows(d, "copy");
        assertThat(copied).containsExactly(
                "2026-11-25 17:59:00.123456 | 00000000-0000-1111-0000-000000000001 | 00000000-0000-2222-0000-000000000002"
                        + " | 00000000-0000-3333-0000-000000000003 | 198.51.100.9 | 32 | 4 | null | null | null | null"
                        + " | allow | 00000000-0000-4444-0000-000000000004 | null | M-agg | aggregate | 42",
                "2026-11-25 18:00:01.123456 | null | null | null | 192.0.2.1 | 32 | 4 | null | GET | /a\\b\tc\nd | null"
                        + " | deny | null | x y z | M-cut | request | 1",
                "1999-12-31 23:59:59.999999 | 00000000-0000-1111-0000-000000000001 | null | null"
                        + " | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 128 | 6 | 255.255.255.255 | DELETE | / | 599 | allow"
                        + " | null | null | M-old | request | 1",
                "2026-11-25 18:00:00.123456 | 00000000-0000-1111-0000-000000000001 | 00000000-0000-2222-0000-000000000002"
                        + " | 00000000-0000-3333-0000-000000000003 | 203.0.113.7 | 32 | 4 | 10.0.0.1 | GET | /api/v1/secrets"
                        + " | 200 | allow | 00000000-0000-4444-0000-000000000004 | curl/8.0 | M-v4 | request | 1",
                "2026-11-25 18:00:00.123457 | 00000000-0000-1111-0000-000000000001 | null | null | 2001:db8::17 | 128 | 6"
                        + " | ::1 | POST | /ünïcode/😀 | 403 | deny | 00000000-0000-4444-0000-000000000004"
                        + " | Mozilla/5.0 (X11; Linux) \"quoted\" | M-v6 | request | 1");
        assertThat(rows(d, "replay")).as("spooled and replayed by INSERT").isEqualTo(copied);
    }

    /**
     * A COPY that committed but whose answer was lost is spooled and replayed: the replay must find every row
     * already there — with an organisation or without, in a daily partition or the default one — and still
     * write an event that only shares a row's organisation and time.
     */
    @Test
    void aReplayWritesNoEventTwiceAndMissesNone() throws Exception {
        TestDatabase d = db.database();
        try (Database database = Database.open(TestDatabases.settings(d), "audit-writer-test")) {
            AuditDatabase writer = new AuditDatabase(database, Duration.ofSeconds(5));
            try {
                List<AuditEvent> committed = events("twice");
                writer.copy(committed);
                List<AuditEvent> replay = new ArrayList<>(committed);
                for (AuditEvent e : committed) { // same org and microsecond, another event
                    replay.add(new AuditEvent(e.ts(), EventIds.next(), e.orgId(), e.appId(), e.accountId(), e.clientIp(),
                            e.peerIp(), e.method(), e.path(), e.status(), e.decision(), e.policyId(), e.userAgent(),
                            e.requestId().replace("twice-", "twin-"), e.eventType(), e.count()));
                }
                writer.insert(replay);
                writer.insert(replay); // a replay interrupted and run again
            } finally {
                writer.close();
            }
        }
        assertThat((Long) d.queryValue("SELECT count(*) FROM access_events WHERE request_id LIKE 'twice-%'")).isEqualTo(5L);
        assertThat(rows(d, "twin")).as("the twins written once each, whole").isEqualTo(rows(d, "twice"));
    }

    /**
     * The replay's duplicate probes are index lookups by (org_id, ts), also for events without an organisation:
     * a replay must never read the whole audit log, nor every row without an organisation. Planned against a day
     * of 100 000 rows (half without an organisation), analysed, as a production planner would see it; the empty
     * partitions may be "scanned" (no pages: nothing to read).
     */
    @Test
    void theReplayProbesTheIndexRatherThanScanningTheLog() throws Exception {
        TestDatabase d = db.database();
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision, request_id)"
                + " SELECT date_trunc('day', now()) + (i % 1000) * interval '1 second', gen_random_uuid(),"
                + " CASE WHEN i % 2 = 0 THEN gen_random_uuid() END, '192.0.2.1', 'allow', 'bulk'"
                + " FROM generate_series(1, 100000) i");
        try (Connection c = d.connect()) {
            c.createStatement().execute("ANALYZE access_events");
            try (java.sql.PreparedStatement ps = c.prepareStatement("EXPLAIN " + ReplayInsert.SQL)) {
                ReplayInsert.bind(c, ps, events("plan"));
                List<String> plan = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1).strip());
                    }
                }
                String partition = (String) d.queryValue(
                        "SELECT tableoid::regclass::text FROM access_events WHERE request_id = 'bulk' LIMIT 1");
                assertThat(plan).as(String.join("\n", plan))
                        .noneMatch(line -> line.startsWith("->  Seq Scan on " + partition + " ") || line.contains("Materialize"))
                        .anyMatch(line -> line.equals("Index Cond: ((org_id = u.org_id) AND (ts = u.ts))"))
                        .anyMatch(line -> line.equals("Index Cond: ((org_id IS NULL) AND (ts = u.ts))"));
            }
        } finally {
            d.update("DELETE FROM access_events WHERE request_id = 'bulk'");
        }
    }

    /** A writer as the gateway makes one, flushing every 10 ms, spooling to {@code spool} under the test's directory. */
    private AuditWriter writer(Database database, String spool) throws java.io.IOException {
        return AuditWriter.start(database, 1000, 100, Duration.ofMillis(10), Duration.ofMillis(500), dir.resolve(spool),
                1L << 30, 1L << 20, Duration.ofMinutes(1));
    }

    static AuditSpool spool(java.nio.file.Path dir) throws java.io.IOException {
        return new AuditSpool(dir, 1L << 30, 1L << 20);
    }

    /** Every event of the spool, record by record, as the replay reads it (and consumes it). */
    static List<AuditEvent> readAll(AuditSpool spool) throws java.io.IOException {
        List<AuditEvent> out = new ArrayList<>();
        AuditSpool.Record r;
        while ((r = spool.next()) != null) {
            out.addAll(r.events());
            spool.written(r);
        }
        return out;
    }

    static AuditEvent refused(String marker) {
        return AuditEvent.request(Instant.now(), EventIds.next(), null, null, null, IpAddress.parse("192.0.2.66"), null,
                "GET", "/refused", 200, "allow", null, null, marker + "-refused");
    }

    static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        waitFor(Duration.ofSeconds(20), done);
    }

    static void waitFor(Duration within, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(done.getAsBoolean()).as("in time").isTrue();
    }

    @Test
    void anEventTheDatabaseRefusesCostsOnlyItselfInABatchAndInAReplay() throws Exception {
        TestDatabase d = db.database();
        // a rule the gateway does not know of, as a later schema might bring
        d.update("ALTER TABLE access_events ADD CONSTRAINT test_refuses CHECK (path IS DISTINCT FROM '/refused')");
        try (Database database = Database.open(TestDatabases.settings(d), "audit-writer-test")) {
            List<AuditEvent> batch = events("poison");
            batch.add(2, refused("poison"));
            AuditWriter writer = writer(database, "spool");
            try {
                batch.forEach(writer::offer); // one COPY, or two if the writer looks in between: either way refused
                waitFor(() -> writer.written() + writer.dropped() == 6);
                assertThat(writer.written()).isEqualTo(5);
                assertThat(writer.dropped()).isEqualTo(1);
                assertThat(writer.spooled()).as("not the database's absence: nothing to spool").isZero();
                assertThat(writer.batches()).as("a refused COPY is not counted as a batch written (at most the parts"
                        + " around it, had the writer looked in between)").isLessThanOrEqualTo(2);
            } finally {
                writer.close();
            }
            assertThat(rows(d, "poison")).hasSize(5);

            // the same in a spool left by an earlier run: replayed around the refused event, then deleted
            AuditSpool left = spool(dir.resolve("left"));
            List<AuditEvent> spooled = events("left");
            spooled.add(0, refused("left"));
            left.append(spooled);
            left.close();
            AuditWriter replaying = writer(database, "left");
            try {
                waitFor(() -> replaying.spoolBytes() == 0 && replaying.written() == 5);
                assertThat(replaying.dropped()).isEqualTo(1);
            } finally {
                replaying.close();
            }
            assertThat(rows(d, "left")).isEqualTo(rows(d, "poison"));
        } finally {
            d.update("ALTER TABLE access_events DROP CONSTRAINT test_refuses");
        }
    }

    @Test
    void whenTheDatabaseGoesAwayWhileARefusedBatchIsWrittenOneByOneTheRestIsSpooledAndReplayedLater() throws Exception {
        TestDatabase d = db.database();
        d.update("ALTER TABLE access_events ADD CONSTRAINT test_refuses CHECK (path IS DISTINCT FROM '/refused')");
        // a row that ends its own connection as it is checked: the database "going away" mid-batch
        d.update("ALTER TABLE access_events ADD CONSTRAINT test_dies CHECK (path IS DISTINCT FROM '/dies'"
                + " OR pg_terminate_backend(pg_backend_pid()))");
        try (Database database = Database.open(TestDatabases.settings(d), "audit-writer-test")) {
            List<AuditEvent> batch = new ArrayList<>();
            batch.add(refused("lost"));
            batch.add(AuditEvent.request(Instant.now(), EventIds.next(), null, null, null, IpAddress.parse("192.0.2.1"),
                    null, "GET", "/ok", 200, "allow", null, null, "lost-1"));
            batch.add(AuditEvent.request(Instant.now(), EventIds.next(), null, null, null, IpAddress.parse("192.0.2.2"),
                    null, "GET", "/dies", 200, "allow", null, null, "lost-2"));
            batch.add(AuditEvent.request(Instant.now(), EventIds.next(), null, null, null, IpAddress.parse("192.0.2.3"),
                    null, "GET", "/ok", 200, "allow", null, null, "lost-3"));
            AuditWriter writer = writer(database, "spool");
            try {
                batch.forEach(writer::offer);
                waitFor(() -> writer.spooled() > 0);
                assertThat(writer.dropped()).as("the refused event").isEqualTo(1);
                assertThat(d.queryValue("SELECT count(*) FROM access_events WHERE request_id LIKE 'lost-%'"))
                        .as("written before the connection died").isEqualTo(1L);

                d.update("ALTER TABLE access_events DROP CONSTRAINT test_dies"); // the database is back
                waitFor(() -> writer.spoolBytes() == 0 && writer.written() == 3);
            } finally {
                writer.close();
            }
            assertThat(rows(d, "lost")).extracting(r -> r.substring(r.indexOf("M-"), r.indexOf(" | request")))
                    .containsExactly("M-1", "M-2", "M-3");
        } finally {
            d.update("ALTER TABLE access_events DROP CONSTRAINT IF EXISTS test_dies");
            d.update("ALTER TABLE access_events DROP CONSTRAINT test_refuses");
        }
    }

    @Test
    void theSpoolGivesBackWhatWasAppendedAndStopsAtATornRecord() throws Exception {
        java.nio.file.Path here = dir.resolve("torn");
        AuditSpool spool = spool(here);
        List<AuditEvent> sent = events("s");
        sent.remove(2); // its control characters are blanked on the way: compared above, through the database
        spool.append(sent);
        spool.close();
        try (var ch = java.nio.channels.FileChannel.open(Files.list(here).findFirst().orElseThrow(),
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 'h', 'a', 'l', 'f'})); // a crash mid-append
        }
        AuditSpool reopened = spool(here);
        assertThat(readAll(reopened)).isEqualTo(sent);
        assertThat(reopened.hasPending()).isFalse();
        assertThat(Files.list(here).count()).as("the replayed segment is deleted").isZero();
    }
}
