package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.db.Database;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit log off the event loops: requests {@link #offer} events into a bounded queue
 * (never blocking); one thread takes them in batches and writes each batch with one binary COPY.
 *
 * <p>When the database is unreachable, batches go to the {@link AuditSpool} (fsync per batch) and
 * later batches queue behind them there, so order is kept; the spool is replayed, oldest first,
 * when the database answers again, and deleted once every event is in. An event is lost only when
 * the queue is full (counted as dropped and logged), the disk refuses the spool (the same), or the
 * database refuses the event itself (a data error: the rest of its batch is written one by one).
 * Events still in the queue at a SIGKILL are lost; see docs/RELIABILITY.md.
 */
public final class AuditWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    private final Database database;
    private final BlockingQueue<AuditEvent> queue;
    private final int batchSize;
    private final long flushNanos;
    private final AuditSpool spool;
    private final AuditAggregator aggregator;
    private final Thread thread;
    private final LongAdder written = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder copyNanos = new LongAdder();
    private volatile boolean running = true;
    private volatile boolean databaseUp = true;
    private long nextReplayNanos;
    private long replayBackoffMillis = 500;
    private long lastPartitionCheck;
    private final AuditPartitions partitions = new AuditPartitions();
    /**
     * Reused from batch to batch (writer thread only). Bounded by the batch: a row is at most ~8 KB (the observer
     * truncates path and User-Agent to 2 048 and 512 characters), typically ~200 bytes.
     */
    private final ByteBuf copyBuffer = Unpooled.buffer(64 * 1024);

    public AuditWriter(Database database, int queueSize, int batchSize, Duration flushInterval, java.nio.file.Path spoolDir,
                       Duration aggregateWindow) throws IOException {
        this.aggregator = new AuditAggregator(aggregateWindow.toSeconds());
        this.database = database;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.spool = new AuditSpool(spoolDir);
        this.thread = new Thread(this::run, "gatehouse-audit");
        this.thread.setDaemon(true);
        if (spool.hasPending()) {
            log.info("Audit spool {} holds {} bytes from an earlier run: replaying", spool.file(), spool.bytes());
        }
        thread.start();
    }

    /** Counts an event into its per-minute aggregate row (the aggregated audit mode); never blocks. */
    public void aggregate(AuditEvent e) {
        aggregator.add(e);
    }

    /** Queues an event; never blocks. Returns false (and counts a drop) when the queue is full. */
    public boolean offer(AuditEvent e) {
        if (queue.offer(e)) {
            return true;
        }
        dropped.increment();
        if (dropped.sum() % 1000 == 1) {
            log.error("Audit queue full ({} events): {} events dropped so far", queue.size(), dropped.sum());
        }
        return false;
    }

    public int queueDepth() {
        return queue.size();
    }

    public long spoolBytes() {
        return spool.bytes();
    }

    public long written() {
        return written.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long spooled() {
        return spooled.sum();
    }

    /** COPY statements run: events written over batches is the mean batch, which grows with the load. */
    public long batches() {
        return batches.sum();
    }

    /**
     * Time spent in COPY statements that succeeded, from taking a connection to the commit's answer: over
     * {@link #batches()}, the mean time a batch takes — and the events queued meanwhile are held in memory.
     */
    /** Partitions the database could not create (each also logged once). */
    public long partitionFailures() {
        return partitions.failures();
    }

    /** Rows left in the default partition after the last maintenance (0 when all is well). */
    public long defaultPartitionRows() {
        return partitions.defaultRows();
    }

    public long copyNanos() {
        return copyNanos.sum();
    }

    private void run() {
        List<AuditEvent> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                maintainPartitions();
                take(batch);
                batch.addAll(aggregator.drainCompleted(running ? java.time.Instant.now() : java.time.Instant.MAX));
                if (spool.hasPending()) {
                    if (!batch.isEmpty()) {
                        spool(batch); // keep order: behind what is already spooled
                    }
                    replayIfDue();
                } else if (!batch.isEmpty()) {
                    try {
                        copy(batch);
                        databaseUp = true;
                    } catch (SQLException e) {
                        if (rejectsData(e)) {
                            List<AuditEvent> unwritten = insertOneByOne(batch, e);
                            if (!unwritten.isEmpty()) {
                                spool(unwritten); // the database went away half-way
                            }
                        } else {
                            databaseDown(e);
                            spool(batch);
                        }
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                log.error("Audit writer failure (continuing)", e);
                batch.clear();
            }
        }
        if (spool.hasPending()) {
            replayIfDue();
        }
        copyBuffer.release();
    }

    /**
     * What has queued up, at most a batch; when nothing has, waits one flush interval first. The writer
     * never waits on the queue itself: a waiting consumer is woken by every offer, and that wake-up (a
     * futex call and a context switch) would be paid by the event loop, per audited request. So the
     * event loops only ever enqueue, and batches grow with the load (whatever arrives while a COPY runs).
     * Holding short batches back for a flush interval was tried: fewer commits, but each COPY became a
     * burst that stalled the event loops of a machine shared with PostgreSQL (docs/BENCHMARKS.md).
     */
    private void take(List<AuditEvent> batch) throws InterruptedException {
        queue.drainTo(batch, batchSize);
        if (batch.isEmpty() && running) {
            TimeUnit.NANOSECONDS.sleep(flushNanos);
            queue.drainTo(batch, batchSize);
        }
    }

    private void spool(List<AuditEvent> batch) {
        try {
            spool.append(batch);
            spooled.add(batch.size());
        } catch (IOException e) {
            dropped.add(batch.size());
            log.error("Audit spool {} refused {} events ({}); they are lost", spool.file(), batch.size(), e.getMessage());
        }
    }

    private void replayIfDue() {
        if (System.nanoTime() < nextReplayNanos || (running && queue.remainingCapacity() < queue.size())) {
            return; // not yet; or the queue is over half full: spool what arrives first, replay after
        }
        try {
            List<AuditEvent> all = spool.readAll();
            for (int i = 0; i < all.size(); i += batchSize) {
                List<AuditEvent> part = all.subList(i, Math.min(all.size(), i + batchSize));
                try {
                    insert(part);
                } catch (SQLException e) {
                    if (!rejectsData(e)) {
                        throw e;
                    }
                    if (!insertOneByOne(part, e).isEmpty()) {
                        throw new SQLException("database lost during the replay"); // what is in stays: the replay is idempotent
                    }
                }
            }
            spool.delete();
            databaseUp = true;
            replayBackoffMillis = 500;
            log.info("Audit spool replayed: {} events written", all.size());
        } catch (SQLException e) {
            databaseDown(e);
            nextReplayNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(replayBackoffMillis);
            replayBackoffMillis = Math.min(replayBackoffMillis * 2, 30_000);
        } catch (IOException e) {
            log.error("Cannot read the audit spool {}: {}", spool.file(), e.getMessage());
            nextReplayNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        }
    }

    /**
     * The database answered and refused the data (SQLSTATE class 22, data exception, or 23, integrity
     * constraint violation): retrying the batch would fail forever and wedge the spool behind it.
     */
    static boolean rejectsData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * A batch the database refused, written event by event (idempotently) so that one bad event costs
     * only itself: it is logged and counted as dropped. Returns the events not yet written when the
     * database stopped answering, for the spool.
     */
    private List<AuditEvent> insertOneByOne(List<AuditEvent> batch, SQLException cause) {
        log.error("The database refused a batch of {} audit events ({}); writing them one by one", batch.size(),
                Database.sqlReason(cause));
        for (int i = 0; i < batch.size(); i++) {
            AuditEvent e = batch.get(i);
            try {
                insert(List.of(e));
            } catch (SQLException refused) {
                if (!rejectsData(refused)) {
                    databaseDown(refused);
                    return new ArrayList<>(batch.subList(i, batch.size()));
                }
                dropped.increment();
                log.error("Audit event {} at {} refused by the database, dropped: {}", e.eventId(), e.ts(),
                        Database.sqlReason(refused));
            }
        }
        return List.of();
    }

    private void databaseDown(SQLException e) {
        if (databaseUp) {
            log.warn("Audit events go to the spool {} while the database is unreachable: {}", spool.file(),
                    Database.sqlReason(e));
        }
        databaseUp = false;
    }

    /** Keeps daily partitions a week ahead and repairs strays ({@link AuditPartitions}), every six hours. */
    private void maintainPartitions() {
        long now = System.nanoTime();
        if (lastPartitionCheck != 0 && now - lastPartitionCheck < TimeUnit.HOURS.toNanos(6)) {
            return;
        }
        lastPartitionCheck = now;
        try (Connection c = database.connection()) {
            partitions.maintain(c);
        } catch (SQLException e) {
            lastPartitionCheck = now - TimeUnit.HOURS.toNanos(6) + TimeUnit.MINUTES.toNanos(1); // retry in a minute
        }
    }

    static final String COPY = "COPY access_events (ts, event_id, org_id, app_id, account_id, client_ip, peer_ip, method,"
            + " path, status, decision, policy_id, user_agent, request_id, event_type, event_count) FROM STDIN (FORMAT binary)";

    /**
     * The fast path: one binary COPY per batch ({@link CopyBinary}: PostgreSQL parses no text). A COPY is
     * all or nothing; if the connection breaks after it committed but before we heard so, the batch is
     * spooled and its replay ({@link ReplayInsert}) finds the rows already there, so nothing is written twice.
     */
    void copy(List<AuditEvent> batch) throws SQLException {
        ByteBuf rows = copyBuffer.clear();
        CopyBinary.header(rows);
        for (AuditEvent e : batch) {
            CopyBinary.row(rows, e);
        }
        CopyBinary.trailer(rows);
        long start = System.nanoTime();
        try (Connection c = database.connection()) {
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            try {
                in.writeToCopy(rows.array(), rows.arrayOffset() + rows.readerIndex(), rows.readableBytes());
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy(); // a failure half-way: end the COPY so the connection goes back usable
                }
            }
            written.add(batch.size());
            batches.increment();
            copyNanos.add(System.nanoTime() - start);
        }
    }

    /** The idempotent path, for spool replays. */
    void insert(List<AuditEvent> batch) throws SQLException {
        try (Connection c = database.connection()) {
            ReplayInsert.run(c, batch);
            written.add(batch.size());
        }
    }

    /** Stops after writing (or spooling) what is queued, waiting up to {@code timeout}. */
    public void close(Duration timeout) {
        running = false;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
