package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code gatehouse.audit}: the access audit log's writer, its spool and its retention, checked once at start.
 *
 * @param queueSize       events waiting for the writer; beyond it they are dropped (counted, logged)
 * @param batchSize       most events per COPY
 * @param flushInterval   how long the writer waits when nothing is queued
 * @param writeTimeout    how long a batch may take to reach the database before it goes to the spool instead
 * @param spoolDir        the spool's directory
 * @param spoolMaxSize    the spool's capacity in bytes; beyond it batches are dropped (counted, logged)
 * @param spoolSegmentSize the size at which a spool segment is closed and a new one begun
 */
public record AuditSettings(boolean enabled, int queueSize, int batchSize, Duration flushInterval, Duration writeTimeout,
                            Path spoolDir, long spoolMaxSize, long spoolSegmentSize, Duration aggregateWindow,
                            Duration retentionInterval) {

    static AuditSettings from(Config g) {
        long max = g.getBytes("audit.spool-max-size");
        long segment = g.getBytes("audit.spool-segment-size");
        if (segment < 64 * 1024) {
            throw ConfigError.at("gatehouse.audit.spool-segment-size", g.getValue("audit.spool-segment-size").origin(),
                    "must be at least 64k");
        }
        if (max < segment) {
            throw ConfigError.at("gatehouse.audit.spool-max-size", g.getValue("audit.spool-max-size").origin(),
                    "must be at least spool-segment-size (" + segment + " bytes)");
        }
        return new AuditSettings(
                g.getBoolean("audit.enabled"),
                ConfigValues.atLeast(g, "audit.queue-size", 1),
                ConfigValues.atLeast(g, "audit.batch-size", 1),
                ConfigValues.positive(g, "audit.flush-interval"),
                ConfigValues.positive(g, "audit.write-timeout"),
                Path.of(g.getString("audit.spool-dir")),
                max,
                segment,
                ConfigValues.positive(g, "audit.aggregate-window"),
                ConfigValues.positive(g, "audit.retention-interval"));
    }

}
