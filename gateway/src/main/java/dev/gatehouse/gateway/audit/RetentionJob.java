package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.admin.AuditPurge;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's upkeep, on a thread of its own and a connection of its own (the writer's is for COPY):
 * <ul>
 *   <li>the daily partitions, a week ahead, with strays repaired ({@link AuditPartitions}): at start, then every six
 *       hours (a minute after a failed pass);</li>
 *   <li>the retention configured per organisation and app ({@code gatehouse-admin retention set}), every
 *       {@code audit.retention-interval}, with the same purge code as {@code gatehouse-admin purge-logs}, sign-in
 *       events included, and those of no organisation after a week. With several replicas, one at a time: the run
 *       holds a PostgreSQL advisory lock, and a replica that cannot take it skips.</li>
 * </ul>
 */
public final class RetentionJob implements AutoCloseable, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    /** The advisory lock key: "gatehouse-retention". */
    static final long LOCK_KEY = 0x6761746568727431L;
    static final Duration PARTITIONS_EVERY = Duration.ofHours(6);
    static final Duration PARTITIONS_RETRY = Duration.ofMinutes(1);

    private final Database database;
    private final Duration interval;
    private final AuditPartitions partitions = new AuditPartitions();
    private final ScheduledExecutorService scheduler;
    private volatile boolean stopping;

    public RetentionJob(Database database, Duration interval) {
        this.database = database;
        this.interval = interval;
        this.scheduler = DaemonScheduler.named("gatehouse-retention");
    }

    /** Schedules the partition upkeep (now) and the retention (within a minute, then every interval). */
    public RetentionJob start() {
        scheduler.execute(this::maintainPartitionsAndReschedule);
        long first = Math.min(interval.toMillis(), Duration.ofMinutes(1).toMillis());
        scheduler.scheduleWithFixedDelay(this::runOnce, first, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("gatehouse.audit.partition.failures", partitions, AuditPartitions::failures)
                .description("Daily audit partitions the database could not create (each logged once).").register(registry);
        Gauge.builder("gatehouse.audit.default.partition.rows", partitions, AuditPartitions::defaultRows)
                .description("Audit rows in the default partition after the last maintenance (moved by the next one).")
                .register(registry);
    }

    private void maintainPartitionsAndReschedule() {
        if (stopping) {
            return;
        }
        Duration next = maintainPartitions() ? PARTITIONS_EVERY : PARTITIONS_RETRY;
        if (!scheduler.isShutdown()) {
            scheduler.schedule(this::maintainPartitionsAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One pass of partition upkeep; false when the database was away (or refused). */
    boolean maintainPartitions() {
        try (Connection c = database.dedicatedConnection("gatehouse-partitions", 600);
             Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '10s'"); // never queue for long behind a purge's or a migration's lock
            partitions.maintain(c);
            return true;
        } catch (Throwable e) { // anything: the next pass is scheduled only by this one
            log.debug("Audit partition maintenance did not run: {}", Database.sqlReason(e));
            return false;
        }
    }

    /** Partitions the database could not create (each also logged once). */
    long partitionFailures() {
        return partitions.failures();
    }

    /** One retention run; false when another replica held the lock (or the database was away). */
    boolean runOnce() {
        try (Connection c = database.dedicatedConnection("gatehouse-retention", 600)) {
            boolean locked;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, LOCK_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    locked = rs.getBoolean(1);
                }
            }
            if (!locked) {
                log.debug("Audit retention: another gateway is applying it");
                return false;
            }
            try {
                AuditPurge.Retention r = new AuditPurge(database.dataSource(), "gateway").applyRetention(10_000,
                        () -> stopping);
                if (r.any()) {
                    log.info("Audit retention: deleted {} events, {} sign-in events and {} sign-in events of no"
                            + " organisation", r.accessEvents(), r.signInEvents(), r.signInEventsWithoutOrg());
                }
                return true;
            } finally {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, LOCK_KEY);
                    ps.execute();
                }
            }
        } catch (Throwable e) { // anything: a scheduled task that throws is never run again
            log.warn("Audit retention did not run: {}", Database.sqlReason(e));
            return false;
        }
    }

    @Override
    public void close() {
        stopping = true;
        scheduler.shutdownNow();
    }
}
