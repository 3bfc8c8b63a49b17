package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.config.AuditSettings;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit log off the event loops: requests {@link #offer} events into a bounded queue (never blocking);
 * one thread ({@code gatehouse-audit}) takes them in batches, and another ({@code gatehouse-audit-db},
 * {@link AuditDatabase}) writes each batch with one binary COPY.
 *
 * <p><b>The spool is the write-ahead path.</b> The writer waits on the database at most {@code audit.write-timeout}
 * for a batch: a batch not written by then (no connection, a slow COPY, a lock) goes to the {@link AuditSpool} at
 * once, and so does every batch after it, in order, until the spool has been replayed — so the in-memory queue stays
 * small whatever the database does, and an outage at full speed is absorbed by the disk, up to
 * {@code audit.spool-max-size}. The replay runs one spool record at a time (memory bounded by one batch), and is
 * idempotent: a batch whose COPY was given up on but committed after all is not written twice.
 *
 * <p>An event is lost only when the queue is full, the spool is full or refused by the disk (each counted as
 * dropped and logged once per episode), or the database refuses the event itself (a data error: the rest of its
 * batch is written one by one). Events still in the queue at a SIGKILL are lost; at a stop, what is queued is written
 * or spooled, never interrupted mid-file. See docs/RELIABILITY.md.
 *
 * <p>Neither thread dies of a failure: the writer's loop catches everything, logs it, backs off and goes on, and
 * records when it last completed a round ({@link #lastProgressNanos()}) for readiness.
 */
public final class AuditWriter implements AuditSink, AutoCloseable, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    private static final long DROP_LOG_EVERY = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    /** Events handed to one replay task at most (a few batches: memory stays bounded). */
    private static final int REPLAY_EVENTS = 5_000;

    private final BlockingQueue<AuditEvent> queue;
    private final int batchSize;
    private final long flushNanos;
    private final long writeTimeoutNanos;
    private final AuditSpool spool;
    private final AuditAggregator aggregator;
    private final AuditDatabase db;
    private final ExecutorService dbThread;
    private final Thread thread;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private volatile boolean running = true;
    private volatile long lastProgressNanos = System.nanoTime();
    /** Runs at the start of every round: nothing, but in a test that injects a failure there. */
    private final Runnable beforeRound;

    // writer thread only
    /** The database task in flight, if any, and what it carries. */
    private Future<?> inFlight;
    private List<AuditEvent> inFlightBatch;
    private List<AuditSpool.Record> inFlightRecords;
    private long inFlightSince;
    private boolean inFlightSpooled;
    private boolean databaseUp = true;
    private long nextAttemptNanos;
    private long backoffMillis = 100;
    private long lastDropLog;
    private long droppedAtLastLog;
    private boolean spoolFailing;

    private AuditWriter(Database database, int queueSize, int batchSize, Duration flushInterval, Duration writeTimeout,
                        AuditSpool spool, Duration aggregateWindow, Runnable beforeRound) {
        this.beforeRound = beforeRound;
        this.aggregator = new AuditAggregator(aggregateWindow.toSeconds());
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.spool = spool;
        this.db = new AuditDatabase(database, writeTimeout);
        this.dbThread = Executors.newSingleThreadExecutor(DaemonScheduler.threads("gatehouse-audit-db", false));
        this.thread = new Thread(this::run, "gatehouse-audit");
        this.thread.setDaemon(true);
    }

    /** A writer with the gateway's settings, started. */
    public static AuditWriter start(Database database, AuditSettings s) throws IOException {
        return start(database, s.queueSize(), s.batchSize(), s.flushInterval(), s.writeTimeout(), s.spoolDir(),
                s.spoolMaxSize(), s.spoolSegmentSize(), s.aggregateWindow());
    }

    static AuditWriter start(Database database, int queueSize, int batchSize, Duration flushInterval, Duration writeTimeout,
                             Path spoolDir, long spoolMaxSize, long segmentSize, Duration aggregateWindow) throws IOException {
        return start(database, queueSize, batchSize, flushInterval, writeTimeout, spoolDir, spoolMaxSize, segmentSize,
                aggregateWindow, () -> { });
    }

    /** As above, running {@code beforeRound} at the start of every round of the writer's loop (tests inject failures). */
    static AuditWriter start(Database database, int queueSize, int batchSize, Duration flushInterval, Duration writeTimeout,
                             Path spoolDir, long spoolMaxSize, long segmentSize, Duration aggregateWindow,
                             Runnable beforeRound) throws IOException {
        AuditSpool spool = new AuditSpool(spoolDir, spoolMaxSize, segmentSize);
        if (spool.hasPending()) {
            log.info("Audit spool {} holds {} bytes in {} segments from an earlier run: replaying", spool.dir(),
                    spool.bytes(), spool.segmentCount());
        }
        AuditWriter w = new AuditWriter(database, queueSize, batchSize, flushInterval, writeTimeout, spool, aggregateWindow,
                beforeRound);
        w.thread.start();
        return w;
    }

    /** Its meters: the queue, the spool, and what was written, spooled and lost. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gatehouse.audit.queue.depth", this, AuditWriter::queueDepth)
                .description("Audit events waiting for the writer.").register(registry);
        Gauge.builder("gatehouse.audit.spool.bytes", this, AuditWriter::spoolBytes)
                .description("Size of the local audit spool (non-zero while the database is away or slow).")
                .register(registry);
        FunctionCounter.builder("gatehouse.audit.events.written", this, AuditWriter::written)
                .description("Audit events inserted.").register(registry);
        FunctionCounter.builder("gatehouse.audit.batches", this, AuditWriter::batches)
                .description("COPY statements that wrote audit events (events written / batches = mean batch).")
                .register(registry);
        FunctionCounter.builder("gatehouse.audit.copy.seconds", this, w -> w.copyNanos() / 1e9)
                .description("Time spent writing audit batches (over gatehouse_audit_batches_total: the mean time per COPY).")
                .register(registry);
        FunctionCounter.builder("gatehouse.audit.events.spooled", this, AuditWriter::spooled)
                .description("Audit events written to the spool.").register(registry);
        FunctionCounter.builder("gatehouse.audit.events.dropped", this, AuditWriter::dropped)
                .description("Audit events lost (queue full, spool refused by the disk, or event refused by the database).")
                .register(registry);
    }

    /** Counts an event into its per-minute aggregate row (the aggregated audit mode); never blocks. */
    @Override
    public void aggregate(AuditEvent e) {
        aggregator.add(e);
    }

    /** Queues an event; never blocks. Returns false (and counts a drop) when the queue is full. */
    @Override
    public boolean offer(AuditEvent e) {
        if (queue.offer(e)) {
            return true;
        }
        dropped.increment();
        long now = System.nanoTime();
        long last = lastDropLog;
        if (last == 0 || now - last >= DROP_LOG_EVERY) { // the first drop, then every ten seconds at most
            lastDropLog = now;
            long total = dropped.sum();
            log.error("Audit queue full ({} events): {} events dropped so far ({} since the last report)", queue.size(),
                    total, total - droppedAtLastLog);
            droppedAtLastLog = total;
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
        return db.written.sum();
    }

    public long dropped() {
        return dropped.sum() + db.dropped.sum();
    }

    public long spooled() {
        return spooled.sum();
    }

    /** COPY statements run: events written over batches is the mean batch, which grows with the load. */
    public long batches() {
        return db.batches.sum();
    }

    /**
     * Time spent in COPY statements that succeeded, from the first byte to the commit's answer: over
     * {@link #batches()}, the mean time a batch takes — and the events queued meanwhile are held in memory.
     */
    public long copyNanos() {
        return db.copyNanos.sum();
    }

    /** When the writer last completed a round of its loop (System.nanoTime): a stuck or dead writer stops moving it. */
    public long lastProgressNanos() {
        return thread.isAlive() ? lastProgressNanos : Long.MIN_VALUE;
    }

    private void run() {
        List<AuditEvent> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty() || inFlight != null && !inFlightSpooled) {
            try {
                round(batch);
                lastProgressNanos = System.nanoTime();
            } catch (Throwable t) { // an OutOfMemoryError included: log, back off, go on — never die silently
                batch.clear();
                log.error("Audit writer failure (continuing in a second)", t);
                pause(TimeUnit.SECONDS.toNanos(1));
            }
        }
        spool.close();
        dbThread.execute(db::close);
        dbThread.shutdown();
    }

    private void round(List<AuditEvent> batch) throws Exception {
        beforeRound.run();
        settleInFlight();
        if (inFlight != null && !inFlightSpooled) {
            return; // a COPY within its bound: let the queue fill meanwhile (batches grow with the load)
        }
        take(batch);
        batch.addAll(aggregator.drainCompleted(running ? Instant.now() : Instant.MAX));
        if (!batch.isEmpty()) {
            if (spool.hasPending() || inFlight != null || !databaseUp && (System.nanoTime() < nextAttemptNanos || !running)) {
                spool(batch); // behind what is spooled, or the database is busy or away: the disk takes it
            } else {
                submit(new ArrayList<>(batch), null);
            }
            batch.clear();
        }
        if (inFlight == null && spool.hasPending() && System.nanoTime() >= nextAttemptNanos && running) {
            replayNext();
        }
    }

    /**
     * Hands the next spool records to the database thread, several at once up to a few batches' worth (records
     * written during an outage are small: one per flush interval), all from one segment.
     */
    private void replayNext() throws IOException {
        List<AuditSpool.Record> records = new ArrayList<>();
        List<AuditEvent> events = new ArrayList<>();
        AuditSpool.Record r;
        while (events.size() < REPLAY_EVENTS && (r = spool.next(records.isEmpty() ? null : records.get(records.size() - 1)))
                != null) {
            records.add(r);
            events.addAll(r.events());
        }
        if (!records.isEmpty()) {
            submit(events, records);
        }
    }

    /** Hands a batch (or spool records to replay) to the database thread. */
    private void submit(List<AuditEvent> events, List<AuditSpool.Record> records) {
        inFlightBatch = events;
        inFlightRecords = records;
        inFlightSince = System.nanoTime();
        inFlightSpooled = records != null; // a replay's events are in the spool already
        inFlight = dbThread.submit(() -> {
            db.write(events, records != null);
            return null;
        });
    }

    /**
     * Looks at the task in flight, waiting at most what is left of its bound: done, it is settled; past the bound,
     * a COPY's batch goes to the spool (the COPY may still commit: the replay will skip its events).
     */
    private void settleInFlight() throws InterruptedException, IOException {
        if (inFlight == null) {
            return;
        }
        long left = inFlightSince + writeTimeoutNanos - System.nanoTime();
        try {
            inFlight.get(inFlightSpooled ? Math.min(flushNanos, Math.max(0, left)) : Math.max(0, left), TimeUnit.NANOSECONDS);
            inFlight = null;
            up();
            if (inFlightRecords != null) {
                for (AuditSpool.Record r : inFlightRecords) {
                    spool.written(r);
                }
                if (!spool.hasPending()) {
                    log.info("Audit spool replayed; events go straight to the database again");
                }
            }
        } catch (TimeoutException e) {
            if (!inFlightSpooled && System.nanoTime() - inFlightSince >= writeTimeoutNanos) {
                spool(inFlightBatch);
                inFlightSpooled = true;
                down("no answer within " + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos)
                        + " ms (gatehouse.audit.write-timeout)");
            }
        } catch (ExecutionException e) {
            if (!inFlightSpooled) {
                spool(e.getCause() instanceof AuditDatabase.PartlyWritten partly ? partly.unwritten : inFlightBatch);
            }
            inFlight = null;
            Throwable cause = e.getCause();
            down(cause instanceof SQLException sql ? Database.sqlReason(sql) : String.valueOf(cause));
        }
    }

    private void up() {
        if (!databaseUp) {
            log.info("Audit database answering again{}", spool.hasPending()
                    ? ": replaying the spool (" + spool.bytes() + " bytes)" : "");
        }
        databaseUp = true;
        backoffMillis = 100;
        nextAttemptNanos = 0;
    }

    private void down(String why) {
        if (databaseUp) {
            log.warn("Audit events go to the spool {} while the database does not answer: {}", spool.dir(), why);
        }
        databaseUp = false;
        nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }

    /**
     * What has queued up, at most a batch; when nothing has, waits one flush interval first. The writer never
     * waits on the queue itself: a waiting consumer is woken by every offer, and that wake-up (a futex call and a
     * context switch) would be paid by the event loop, per audited request. So the event loops only ever enqueue,
     * and batches grow with the load (whatever arrives while a COPY runs).
     */
    private void take(List<AuditEvent> batch) {
        queue.drainTo(batch, batchSize);
        boolean replaying = databaseUp && spool.hasPending() && inFlight == null;
        if (batch.isEmpty() && running && !replaying) { // a replay goes on at the database's pace
            pause(flushNanos);
            queue.drainTo(batch, batchSize);
        }
    }

    private static void pause(long nanos) {
        // not interruptible: the writer is never interrupted (an interrupted thread cannot open the spool)
        LockSupport.parkNanos(nanos);
    }

    private void spool(List<AuditEvent> batch) {
        try {
            spool.append(batch);
            spooled.add(batch.size());
            if (spoolFailing) {
                log.info("Audit spool {} takes batches again", spool.dir());
                spoolFailing = false;
            }
        } catch (IOException e) {
            dropped.add(batch.size());
            if (!spoolFailing) { // once per episode: the next success ends it
                log.error("Audit spool {} refused a batch of {} events, which are lost ({}); later refusals are"
                        + " counted in gatehouse_audit_events_dropped_total", spool.dir(), batch.size(), e.toString());
                spoolFailing = true;
            }
        }
    }

    /** Stops after writing (or spooling) what is queued, waiting up to {@code timeout}; never interrupts. */
    public void close(Duration timeout) {
        running = false;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Audit writer still busy after {} ms at stop; {} events queued", timeout.toMillis(), queue.size());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
