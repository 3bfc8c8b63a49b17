package dev.gatehouse.gateway;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.audit.AuditSink;
import dev.gatehouse.gateway.audit.AuditWriter;
import dev.gatehouse.gateway.audit.InstanceLock;
import dev.gatehouse.gateway.audit.RetentionJob;
import dev.gatehouse.gateway.config.AuditSettings;
import dev.gatehouse.gateway.management.Readiness;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up's audit step, with {@code gatehouse.audit.enabled}: the writer (its queue, its database thread, its spool)
 * and the retention job. The spool's lock is taken apart, first of all ({@link #claimSpool}).
 */
final class AuditStep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** The writer's loop never waits longer than its flush interval or write bound: 30 s without a round is a stall. */
    private static final Duration AUDIT_STALL = Duration.ofSeconds(30);

    private final AuditWriter writer;
    private final RetentionJob retention;

    private AuditStep(AuditWriter writer, RetentionJob retention) {
        this.writer = writer;
        this.retention = retention;
    }

    /**
     * The audit spool's directory, for this gateway alone — taken before anything else starts, so that a second
     * gateway on it says so before it touches the database; null when the audit log is off.
     */
    static InstanceLock claimSpool(AuditSettings settings) {
        if (!settings.enabled()) {
            return null;
        }
        return InstanceLock.acquire(settings.spoolDir(), "the audit spool " + settings.spoolDir()
                + " (gatehouse.audit.spool-dir), which serves one gateway only",
                "give this one its own data directory (XDG_DATA_HOME or HOME) or gatehouse.audit.spool-dir");
    }

    static AuditStep start(AuditSettings settings, Database database, MeterRegistry registry, Readiness readiness) {
        if (!settings.enabled()) {
            return new AuditStep(null, null);
        }
        AuditWriter writer;
        try {
            writer = AuditWriter.start(database, settings);
        } catch (IOException e) {
            throw new GatehouseException("cannot use the audit spool directory " + settings.spoolDir()
                    + " (gatehouse.audit.spool-dir): " + e.getMessage(), e);
        }
        try {
            writer.bindTo(registry);
            readiness.watch("audit writer", writer::lastProgressNanos, AUDIT_STALL);
            log.info("Audit log: to the database, through the spool in {} (gatehouse.audit.spool-dir)", settings.spoolDir());
            RetentionJob retention = new RetentionJob(database, settings.retentionInterval());
            retention.bindTo(registry);
            return new AuditStep(writer, retention.start());
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** The writer (its queue and spool, for the console); null when the audit log is off. */
    AuditWriter writer() {
        return writer;
    }

    /** Where the requests' audit events go: the writer, or nowhere when the audit log is off. */
    AuditSink sink() {
        return writer != null ? writer : AuditSink.OFF;
    }

    /** Stops retention, then the writer (after the listeners: every request has been recorded). */
    @Override
    public void close() {
        if (retention != null) {
            retention.close();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
