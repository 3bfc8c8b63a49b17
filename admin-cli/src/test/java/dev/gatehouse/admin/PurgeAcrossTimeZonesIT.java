package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit partitions are UTC days and purges judge them by their actual bounds, whatever the zone of the JVM that
 * runs the command or of the session that made the partitions (issue #17). CI runs this class under
 * {@code Etc/GMT+12} and {@code Pacific/Kiritimati} too (the tz-west and tz-east executions of the pom).
 */
class PurgeAcrossTimeZonesIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;
    UUID acme;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        acme = new Fixtures(d).org("Acme");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    /** Runs SQL in a session whose zone is {@code zone}, as a client in that zone would have. */
    private void inZone(String zone, String sql) throws Exception {
        try (Connection c = d.connect(); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE '" + zone + "'");
            s.execute(sql);
        }
    }

    /** One event an hour, from {@code fromDaysAgo} to {@code toDaysAgo}. */
    private void hourly(int fromDaysAgo, int toDaysAgo) {
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision)"
                + " SELECT g, gen_random_uuid(), ?, '192.0.2.1', 'allow'"
                + " FROM generate_series(now() - ?::int * interval '1 day', now() - ?::int * interval '1 day', interval '1 hour') g",
                acme, fromDaysAgo, toDaysAgo);
    }

    private long count(String where, Object... args) {
        return (Long) d.queryValue("SELECT count(*) FROM access_events WHERE " + where, args);
    }

    @Test
    void partitionsMadeInAnyZoneAreUtcDays() throws Exception {
        for (String zone : new String[] {"America/New_York", "Etc/GMT+12", "Pacific/Kiritimati", "Asia/Kathmandu"}) {
            d.update("DROP TABLE IF EXISTS access_events_p20200301");
            inZone(zone, "SELECT gatehouse_ensure_access_event_partitions('2020-03-01', 1)");
            assertThat(d.queryValue("SELECT lower_bound = '2020-03-01 00:00:00+00' AND upper_bound = '2020-03-02 00:00:00+00'"
                    + " FROM gatehouse_access_event_partitions() WHERE name = 'access_events_p20200301'"))
                    .as("made in " + zone).isEqualTo(true);
        }
        assertThat(d.queryValue("SELECT count(*) FROM gatehouse_misaligned_access_event_partitions()")).isEqualTo(0L);
    }

    /**
     * Partitions as an older version made them in a zone west of UTC: named by their day but bounded later, so the
     * one named for the day before the cutoff holds rows until an hour past it. Dropped by its name (as before),
     * those rows — inside retention — would be lost; judged by its bounds, it is purged by DELETE.
     */
    @Test
    void purgeAllNeverDropsAnEventInsideRetention() throws Exception {
        Instant approxCutoff = Instant.now().minus(java.time.Duration.ofDays(30));
        java.time.LocalDate cutoffDay = approxCutoff.atZone(java.time.ZoneOffset.UTC).toLocalDate();
        java.time.Duration shift = java.time.Duration.between(cutoffDay.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                approxCutoff).plusHours(1);
        for (int i = -12; i <= 12; i++) {
            java.time.LocalDate day = cutoffDay.plusDays(i);
            Instant from = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plus(shift);
            d.update("CREATE TABLE access_events_p" + day.toString().replace("-", "") + " PARTITION OF access_events"
                    + " FOR VALUES FROM ('" + from + "') TO ('" + from.plus(java.time.Duration.ofDays(1)) + "')");
        }
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision)"
                + " SELECT g, gen_random_uuid(), ?, '192.0.2.1', 'allow'"
                + " FROM generate_series(now() - interval '40 days', now() - interval '20 days', interval '5 minutes') g", acme);
        d.update("CREATE TABLE before_purge AS SELECT event_id, ts FROM access_events");

        CliRun r = CliRun.of(Stream.concat(Arrays.stream(new String[] {"purge-logs", "--all-orgs", "--retain", "30",
                "--yes", "--json"}), Stream.of("--database-url", url)).toArray(String[]::new));

        assertThat(r.code()).as(r.err()).isEqualTo(0);
        java.sql.Timestamp cutoff = java.sql.Timestamp.from(Instant.parse(r.json().get("cutoff").asText()));
        assertThat(r.json().get("partitions_dropped").asLong()).isPositive();
        assertThat(count("ts < ?", cutoff)).as("everything older than the cutoff is gone").isZero();
        assertThat(d.queryValue("SELECT count(*) FROM before_purge b WHERE b.ts >= ?"
                + " AND NOT EXISTS (SELECT 1 FROM access_events e WHERE e.event_id = b.event_id)", cutoff))
                .as("events inside retention that were lost").isEqualTo(0L);
        assertThat(count("true")).isEqualTo((Long) d.queryValue("SELECT count(*) FROM before_purge WHERE ts >= ?", cutoff));
    }

    @org.junit.jupiter.api.AfterEach
    void dropWhatATestMadeCrooked() {
        d.update("DROP TABLE IF EXISTS before_purge");
        d.update("DO $$ DECLARE p text; BEGIN FOR p IN SELECT * FROM gatehouse_misaligned_access_event_partitions() LOOP"
                + " EXECUTE format('DROP TABLE %I', p); END LOOP; END $$");
    }

    @Test
    void misalignedPartitionsAndTheDefaultAreRepairedWithoutLosingARow() throws Exception {
        // what an older version made under New York time: partitions from 04:00Z to 04:00Z
        d.update("DROP TABLE IF EXISTS access_events_p20250110, access_events_p20250111, access_events_p20250112");
        for (String day : new String[] {"2025-01-10", "2025-01-11"}) {
            inZone("America/New_York", "CREATE TABLE access_events_p" + day.replace("-", "") + " PARTITION OF access_events"
                    + " FOR VALUES FROM ('" + day + "') TO ('" + day + "'::date + 1)");
        }
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision)"
                + " SELECT g, gen_random_uuid(), ?, '192.0.2.1', 'allow'"
                + " FROM generate_series('2025-01-10 00:00:00+00'::timestamptz, '2025-01-12 23:00:00+00', interval '1 hour') g",
                acme);
        long rows = count("true");
        assertThat(rows).isEqualTo(72);
        assertThat(d.queryValue("SELECT count(*) FROM access_events_default")).as("hours outside the old partitions")
                .isNotEqualTo(0L);
        assertThat(d.queryValue("SELECT count(*) FROM gatehouse_misaligned_access_event_partitions()")).isEqualTo(2L);

        assertThat(d.queryValue("SELECT gatehouse_repair_access_event_partitions()")).isEqualTo(72L);

        assertThat(count("true")).isEqualTo(rows);
        assertThat(d.queryValue("SELECT count(*) FROM access_events_default")).isEqualTo(0L);
        assertThat(d.queryValue("SELECT count(*) FROM gatehouse_misaligned_access_event_partitions()")).isEqualTo(0L);
        for (String day : new String[] {"20250110", "20250111", "20250112"}) {
            assertThat(d.queryValue("SELECT count(*) FROM access_events_p" + day)).as(day).isEqualTo(24L);
        }
        assertThat(d.queryValue("SELECT gatehouse_repair_access_event_partitions()")).as("nothing left to do").isEqualTo(0L);
    }
}
