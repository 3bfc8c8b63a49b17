package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.db.Database;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit writer's side of the database, run on its own thread ({@code gatehouse-audit-db}) so that the writer
 * never waits on it longer than its write bound: one dedicated connection (not the pool's: a pool timeout would be a
 * wait, and policies share that pool), whose {@code lock_timeout} is the write bound — a COPY that meets a table
 * locked by {@code VACUUM FULL} gives up instead of holding events — and whose {@code statement_timeout} caps
 * anything else. A connection that failed is closed and opened again on the next task.
 */
final class AuditDatabase {
    private static final Logger log = LoggerFactory.getLogger(AuditDatabase.class);
    static final String COPY = "COPY access_events (ts, event_id, org_id, app_id, account_id, client_ip, peer_ip, method,"
            + " path, status, decision, policy_id, user_agent, request_id, event_type, event_count) FROM STDIN (FORMAT binary)";

    private final Database database;
    private final Duration writeTimeout;
    final LongAdder written = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder copyNanos = new LongAdder();
    private Connection connection;
    /**
     * Reused from batch to batch (this thread only). Bounded by the batch: a row is at most ~8 KB (the observer
     * truncates path and User-Agent to 2 048 and 512 characters), typically ~200 bytes.
     */
    private final ByteBuf copyBuffer = Unpooled.buffer(64 * 1024);

    AuditDatabase(Database database, Duration writeTimeout) {
        this.database = database;
        this.writeTimeout = writeTimeout;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = database.dedicatedConnection("gatehouse-audit", 60);
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = " + Math.max(1, writeTimeout.toMillis()));
                s.execute("SET statement_timeout = " + Math.max(30_000, writeTimeout.toMillis() * 10));
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** After a failure that is not the data's: the connection may be broken, the next task opens another. */
    private void discard() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the audit connection: {}", e.toString());
            }
            connection = null;
        }
    }

    /**
     * The fast path: one binary COPY per batch ({@link CopyBinary}: PostgreSQL parses no text). All or nothing;
     * if the connection breaks after it committed but before we heard so, the batch is spooled and its replay
     * ({@link ReplayInsert}) finds the rows already there, so nothing is written twice.
     */
    void copy(List<AuditEvent> batch) throws SQLException {
        ByteBuf rows = copyBuffer.clear();
        CopyBinary.header(rows);
        for (AuditEvent e : batch) {
            CopyBinary.row(rows, e);
        }
        CopyBinary.trailer(rows);
        long start = System.nanoTime();
        try {
            CopyIn in = connection().unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            try {
                in.writeToCopy(rows.array(), rows.arrayOffset() + rows.readerIndex(), rows.readableBytes());
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy(); // a failure half-way: end the COPY so the connection stays usable
                }
            }
        } catch (SQLException e) {
            if (!rejectsData(e)) {
                discard();
            }
            throw e;
        }
        written.add(batch.size());
        batches.increment();
        copyNanos.add(System.nanoTime() - start);
    }

    /** The idempotent path, for spool replays: events already there are skipped. */
    void insert(List<AuditEvent> batch) throws SQLException {
        try {
            written.add(ReplayInsert.run(connection(), batch));
        } catch (SQLException e) {
            if (!rejectsData(e)) {
                discard();
            }
            throw e;
        }
    }

    /**
     * Writes a batch (by COPY, or idempotently for a replay); a batch the database refuses for its data is written
     * event by event so that one bad event costs only itself (logged, counted as dropped). Returns normally when
     * every event is in or dropped; throws when the database stopped answering.
     */
    void write(List<AuditEvent> batch, boolean replay) throws SQLException {
        try {
            if (replay) {
                insert(batch);
            } else {
                copy(batch);
            }
        } catch (SQLException e) {
            if (!rejectsData(e)) {
                throw e;
            }
            oneByOne(batch, e);
        }
    }

    /** The database stopped answering part-way through a batch written one by one: what is left of it. */
    static final class PartlyWritten extends SQLException {
        private static final long serialVersionUID = 1L;
        final transient List<AuditEvent> unwritten;

        PartlyWritten(SQLException cause, List<AuditEvent> unwritten) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.unwritten = unwritten;
        }
    }

    private void oneByOne(List<AuditEvent> batch, SQLException cause) throws SQLException {
        log.error("The database refused a batch of {} audit events ({}); writing them one by one", batch.size(),
                Database.sqlReason(cause));
        for (int i = 0; i < batch.size(); i++) {
            AuditEvent e = batch.get(i);
            try {
                insert(List.of(e));
            } catch (SQLException refused) {
                if (!rejectsData(refused)) {
                    // the database went away half-way: only the rest is spooled (the refused one is counted once)
                    throw new PartlyWritten(refused, List.copyOf(batch.subList(i, batch.size())));
                }
                dropped.increment();
                log.error("Audit event {} at {} refused by the database, dropped: {}", e.eventId(), e.ts(),
                        Database.sqlReason(refused));
            }
        }
    }

    /**
     * The database answered and refused the data (SQLSTATE class 22, data exception, or 23, integrity constraint
     * violation): retrying the batch would fail forever and wedge the spool behind it.
     */
    static boolean rejectsData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    void close() {
        discard();
        copyBuffer.release();
    }
}
