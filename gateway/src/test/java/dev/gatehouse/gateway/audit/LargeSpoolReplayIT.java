package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool four times the heap, replayed: the gateway's old spool was read whole into memory and a 200 MB one killed
 * the writer on a 512 MB heap at every start. Run by its own surefire execution ({@code large-spool}) under
 * {@code -Xmx256m}; {@code -Dspool.large.mb=N} sets the spool's size (default 1024).
 */
class LargeSpoolReplayIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void aSpoolLargerThanTheHeapIsReplayedInBoundedMemory() throws Exception {
        long target = Long.getLong("spool.large.mb", 1024) << 20;
        assertThat(Runtime.getRuntime().maxMemory()).as("run with a small heap").isLessThan(target / 2);
        Path spoolDir = dir.resolve("spool");
        UUID org = UUID.randomUUID();
        AuditSpool spool = new AuditSpool(spoolDir, 4L << 30, 64L << 20);
        long events = 0;
        Instant ts = Instant.parse("2026-11-28T06:00:00Z");
        while (spool.bytes() < target) {
            List<AuditEvent> batch = new ArrayList<>(10_000);
            for (int i = 0; i < 10_000; i++, events++) {
                batch.add(AuditEvent.request(ts.plusNanos(events * 1000), EventIds.next(), org, null, null,
                        IpAddress.v4(0xc6336400 | (int) (events & 0xff)), IpAddress.parse("10.0.0.1"), "GET",
                        "/api/v1/secrets/" + events, 200, "allow", null,
                        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36",
                        "req-" + events));
            }
            spool.append(batch);
        }
        long bytes = spool.bytes();
        spool.close();
        TestDatabase d = db.database();
        long t0 = System.nanoTime();
        try (Database database = Database.open(TestDatabases.settings(d), "large-spool")) {
            AuditWriter w = AuditWriter.start(database, 100_000, 1000, Duration.ofMillis(50), Duration.ofMillis(200),
                    spoolDir, 4L << 30, 64L << 20, Duration.ofMinutes(1));
            AuditWriterIT.waitFor(Duration.ofMinutes(15), () -> w.spoolBytes() == 0);
            w.close();
            assertThat(w.dropped()).isZero();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("large spool: %d MB, %d events, replayed in %d s (%.0f events/s) with a %d MB heap%n",
                bytes >> 20, events, ms / 1000, events / (ms / 1000.0), Runtime.getRuntime().maxMemory() >> 20);
        assertThat(d.queryValue("SELECT count(*) FROM access_events WHERE org_id = ?", org)).isEqualTo(events);
        assertThat(SpoolContents.pending(spoolDir)).isFalse();
    }
}
