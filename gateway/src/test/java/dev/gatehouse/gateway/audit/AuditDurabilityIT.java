package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log on an operator's bad day (issue #22), against a real PostgreSQL: a database that refuses
 * connections, one that accepts them and never answers, a table locked by another session, a stop in the middle
 * of it all, and a failure thrown inside the writer. Each time: nothing answered is lost, nothing is written twice,
 * and the writer never waits on the database longer than its bound.
 */
class AuditDurabilityIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static final UUID ORG = UUID.fromString("00000000-0000-0000-0000-00000000d00d");

    static AuditEvent event(String marker, int i) {
        return AuditEvent.request(Instant.now(), EventIds.next(), ORG, null, null, IpAddress.v4(0xc6336400 | (i & 0xff)),
                null, "GET", "/d/" + i, 200, "allow", null, "durability", marker);
    }

    static AuditWriter writer(Database database, Path spool) throws Exception {
        return AuditWriter.start(database, 100_000, 1000, Duration.ofMillis(20), Duration.ofMillis(200), spool,
                4L << 30, 32L << 20, Duration.ofMinutes(1));
    }

    /** A database that is not there: connections are refused at once. */
    static Database refusing(TestDatabase d) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return Database.open(TestDatabases.settings(d).withJdbc("jdbc:postgresql://127.0.0.1:" + port + "/x", d.user(),
                d.password()), "refusing", true);
    }

    static long rows(TestDatabase d, String marker) {
        return (Long) d.queryValue("SELECT count(*) FROM access_events WHERE request_id = ?", marker);
    }

    static long distinct(TestDatabase d, String marker) {
        return (Long) d.queryValue("SELECT count(DISTINCT event_id) FROM access_events WHERE request_id = ?", marker);
    }

    /**
     * An outage at full speed: 100 000 events a second (four times the rate at which the old writer dropped a quarter
     * of a million events in a 30 s outage) for four seconds, while the database refuses connections. None is dropped
     * (the spool takes every batch at once, the queue stays small); a writer started later on the same spool with
     * the database back writes every one exactly once.
     */
    @Test
    void anOutageAtFullSpeedLosesNothingAndTheReplayWritesEachEventOnce() throws Exception {
        TestDatabase d = db.database();
        Path spool = dir.resolve("spool");
        int n = 400_000;
        long offerNanos;
        int maxQueue = 0;
        try (Database down = refusing(d)) {
            AuditWriter w = writer(down, spool);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (!w.offer(event("burst", i))) {
                    throw new AssertionError("dropped at event " + i + " (queue " + w.queueDepth() + ")");
                }
                if (i % 100 == 99) { // 100 events a millisecond
                    maxQueue = Math.max(maxQueue, w.queueDepth());
                    long due = t0 + (i + 1) * 10_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
            }
            offerNanos = System.nanoTime() - t0;
            w.close(Duration.ofSeconds(30));
            assertThat(w.dropped()).isZero();
            assertThat(w.spooled()).isEqualTo(n);
        }
        assertThat(SpoolContents.events(spool)).isEqualTo(n);
        System.out.printf("audit outage: %d events offered in %d ms (%.0f/s), queue at most %d, spooled %d bytes%n", n,
                offerNanos / 1_000_000, n / (offerNanos / 1e9), maxQueue, java.nio.file.Files.list(spool)
                        .mapToLong(f -> f.toFile().length()).sum());

        try (Database up = Database.open(TestDatabases.settings(d), "up")) {
            long t0 = System.nanoTime();
            AuditWriter w = writer(up, spool);
            AuditWriterIT.waitFor(Duration.ofSeconds(120), () -> w.spoolBytes() == 0);
            long replayNanos = System.nanoTime() - t0;
            w.close();
            System.out.printf("audit replay: %d events in %d ms (%.0f/s)%n", n, replayNanos / 1_000_000,
                    n / (replayNanos / 1e9));
        }
        assertThat(rows(d, "burst")).isEqualTo(n);
        assertThat(distinct(d, "burst")).isEqualTo(n);
        assertThat(SpoolContents.pending(spool)).isFalse();
    }

    /** A stop while the database is away: everything queued goes to the spool (no interrupt, no lost file). */
    @Test
    void aStopDuringAnOutageSpoolsWhatIsQueued() throws Exception {
        TestDatabase d = db.database();
        Path spool = dir.resolve("stop");
        try (Database down = refusing(d)) {
            AuditWriter w = writer(down, spool);
            for (int i = 0; i < 5000; i++) {
                assertThat(w.offer(event("stop", i))).isTrue();
            }
            w.close(Duration.ofSeconds(10)); // at once: most of it still queued
            assertThat(w.dropped()).isZero();
        }
        assertThat(SpoolContents.events(spool)).isEqualTo(5000);
    }

    /**
     * A database that accepts connections and never answers (a hung server, a black-holed route): the writer does
     * not wait for the connection's timeout; batches go to the spool within the bound.
     */
    @Test
    void aDatabaseThatNeverAnswersIsNotWaitedFor() throws Exception {
        TestDatabase d = db.database();
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // accepted, never answered
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            DatabaseSettings s = TestDatabases.settings(d).withJdbc("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort()
                    + "/x", d.user(), d.password());
            try (Database hung = Database.open(s, "hung", true)) {
                AuditWriter w = writer(hung, dir.resolve("hung"));
                long t0 = System.nanoTime();
                for (int i = 0; i < 3000; i++) {
                    w.offer(event("hung", i));
                }
                AuditWriterIT.waitFor(Duration.ofSeconds(3), () -> w.spooled() == 3000);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("spooled within a few write bounds, not a connection timeout").isLessThan(2500);
                assertThat(w.dropped()).isZero();
                w.close(Duration.ofSeconds(5));
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /**
     * A table locked by another session (as VACUUM FULL locks it) for longer than the bound, under a steady load:
     * batches go to the spool while the lock is held, the queue stays small, and once it is released every event is
     * written exactly once.
     */
    @Test
    void aLockedTableSendsBatchesToTheSpoolAndNothingIsLost() throws Exception {
        TestDatabase d = db.database();
        Path spool = dir.resolve("locked");
        int n = 0;
        int maxQueue = 0;
        try (Database up = Database.open(TestDatabases.settings(d), "locked")) {
            AuditWriter w = writer(up, spool);
            try (Connection locker = d.connect()) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE access_events IN ACCESS EXCLUSIVE MODE");
                }
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(w.offer(event("locked", n++))).isTrue();
                    }
                    maxQueue = Math.max(maxQueue, w.queueDepth());
                    Thread.sleep(2); // ~10 000 events/s
                }
                assertThat(w.spooled()).as("spooled while the table was locked").isPositive();
                locker.rollback();
            }
            int sent = n;
            AuditWriterIT.waitFor(Duration.ofSeconds(30), () -> w.spoolBytes() == 0 && w.queueDepth() == 0
                    && rows(d, "locked") == sent);
            w.close();
            assertThat(w.dropped()).isZero();
        }
        System.out.printf("audit under a 3 s lock: %d events, queue at most %d%n", n, maxQueue);
        assertThat(maxQueue).as("the queue stays small: batches went to the spool").isLessThan(5000);
        assertThat(rows(d, "locked")).isEqualTo(n);
        assertThat(distinct(d, "locked")).isEqualTo(n);
    }

    /** An Error thrown inside the writer (as an OutOfMemoryError would be) does not end it: it logs and goes on. */
    @Test
    void anErrorInsideTheWriterDoesNotKillIt() throws Exception {
        TestDatabase d = db.database();
        AtomicInteger thrown = new AtomicInteger();
        try (Database up = Database.open(TestDatabases.settings(d), "error")) {
            AuditWriter w = AuditWriter.start(up, 100_000, 1000, Duration.ofMillis(20), Duration.ofMillis(200),
                    dir.resolve("error"), 4L << 30, 32L << 20, Duration.ofMinutes(1), () -> {
                        if (thrown.getAndIncrement() == 0) {
                            throw new OutOfMemoryError("injected by the test");
                        }
                    });
            try {
                AuditWriterIT.waitFor(Duration.ofSeconds(5), () -> thrown.get() > 1);
                for (int i = 0; i < 100; i++) {
                    w.offer(event("after-error", i));
                }
                AuditWriterIT.waitFor(Duration.ofSeconds(10), () -> rows(d, "after-error") == 100);
                assertThat(System.nanoTime() - w.lastProgressNanos()).as("still going round")
                        .isLessThan(Duration.ofSeconds(5).toNanos());
            } finally {
                w.close();
            }
        }
    }
}
