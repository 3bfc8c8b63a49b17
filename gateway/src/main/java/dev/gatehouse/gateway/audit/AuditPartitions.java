package dev.gatehouse.gateway.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the audit log's daily partitions (UTC days) a week ahead, and repairs what went astray: a partition that
 * could not be created is a WARNING from the database, logged here once per problem and counted; rows that landed
 * in the default partition meanwhile (or partitions not aligned on UTC days, made by an older version under another
 * time zone) are moved into their daily partitions by {@code gatehouse_repair_access_event_partitions()} (V3).
 */
final class AuditPartitions {
    private static final Logger log = LoggerFactory.getLogger(AuditPartitions.class);
    /** Rows counted in the default partition, at most (a count, not a scan of millions). */
    private static final int DEFAULT_ROWS_CAP = 100_000;

    private final LongAdder failures = new LongAdder();
    private final Set<String> warned = new HashSet<>();
    private volatile long defaultRows;

    /** One maintenance pass on {@code c}: create ahead, repair if needed, count what is left in the default. */
    void maintain(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT gatehouse_ensure_access_event_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9)")) {
            ps.execute();
            for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                failures.increment();
                if (warned.add(w.getMessage())) {
                    log.warn("{} (rows for that day go to access_events_default until the repair moves them;"
                            + " logged once)", w.getMessage());
                }
            }
        }
        long left = countDefault(c);
        if (left > 0) {
            try (PreparedStatement ps = c.prepareStatement("SELECT gatehouse_repair_access_event_partitions()");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                log.warn("Moved {} audit rows from the default partition into their daily partitions", rs.getLong(1));
            }
            left = countDefault(c);
        }
        defaultRows = left;
    }

    private static long countDefault(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM (SELECT 1 FROM access_events_default LIMIT " + DEFAULT_ROWS_CAP + ") d");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    long failures() {
        return failures.sum();
    }

    long defaultRows() {
        return defaultRows;
    }
}
