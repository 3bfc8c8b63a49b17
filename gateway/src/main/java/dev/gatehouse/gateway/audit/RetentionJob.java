package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.admin.AuditPurge;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.DaemonScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the audit retention configured per organisation and app (gatehouse-admin retention set)
 * on a schedule, with the same purge code as gatehouse-admin purge-logs. With several replicas, one
 * at a time: the run holds a PostgreSQL advisory lock, and a replica that cannot take it skips.
 */
public final class RetentionJob implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    /** The advisory lock key: "gatehouse-retention". */
    static final long LOCK_KEY = 0x6761746568727431L;

    private final Database database;
    private final ScheduledExecutorService scheduler;
    private volatile boolean stopping;

    public RetentionJob(Database database, Duration interval) {
        this.database = database;
        this.scheduler = DaemonScheduler.named("gatehouse-retention");
        long first = Math.min(interval.toMillis(), Duration.ofMinutes(1).toMillis());
        scheduler.scheduleWithFixedDelay(this::runOnce, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One run; false when another replica held the lock (or the database was away). */
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
                long deleted = new AuditPurge(database.dataSource(), "gateway").applyRetention(10_000, () -> stopping);
                if (deleted > 0) {
                    log.info("Audit retention: deleted {} events", deleted);
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
