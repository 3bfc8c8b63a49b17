package dev.gatehouse.gateway.policy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the policy snapshot current, on a thread of its own (JDBC never runs on an event loop):
 * LISTENs on {@code gatehouse_policy_changes} (the schema's triggers NOTIFY on every change that can
 * alter a decision, naming its organisation), reads afresh the organisations each burst of
 * notifications names, and swaps the snapshot atomically. Every refresh interval a version check
 * (one small query: {@link PolicySnapshotLoader#refresh}) catches anything a notification missed, reading again
 * only the organisations whose policy version moved: idle, it reads nothing, whatever their number.
 *
 * <p>Fail-static: when the database is unreachable the last snapshot stays in force, {@link #connected()}
 * turns false, and the connection is retried with a doubling backoff; on reconnecting, a full reload
 * covers whatever was missed. Until the first snapshot is loaded, {@link #snapshot()} is null and
 * policy-bound routes answer 503.
 */
public final class PolicyService implements AutoCloseable, MeterBinder {
    public static final String CHANNEL = "gatehouse_policy_changes";
    private static final Logger log = LoggerFactory.getLogger(PolicyService.class);
    /** The payload's organisation: {@code {"table" : "...", "op" : "...", "org_id" : "<uuid>"}}. */
    private static final Pattern ORG_ID = Pattern.compile("\"org_id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
    /** Beyond this many organisations in one burst, one full reload is cheaper than a partial one. */
    private static final int MAX_PARTIAL_ORGS = 64;

    private final Database database;
    private final SchemaGate schema;
    private final Duration refreshInterval;
    private final Duration maxBackoff;
    private final AtomicReference<PolicySnapshot> current = new AtomicReference<>();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private final Thread thread;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Connection connection;

    public PolicyService(Database database, SchemaGate schema, Duration refreshInterval, Duration maxBackoff) {
        this.database = database;
        this.schema = schema;
        this.refreshInterval = refreshInterval;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "gatehouse-policies");
        this.thread.setDaemon(true);
    }

    /** Starts listening; waits up to {@code initialWait} for the first snapshot (the gateway starts either way). */
    public PolicyService start(Duration initialWait) throws InterruptedException {
        thread.start();
        long deadline = System.nanoTime() + initialWait.toNanos();
        while (current.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (current.get() == null) {
            log.warn("No policy snapshot yet: policy-bound routes answer 503 until the database is reachable");
        }
        return this;
    }

    /** The snapshot in force, or null before the first load. */
    public PolicySnapshot snapshot() {
        return current.get();
    }

    /** False while the database is unreachable (the last snapshot is still enforced). */
    public boolean connected() {
        return connected;
    }

    /** Its meters: whether a snapshot is loaded, how old it is, whether LISTEN is up, and the reloads. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gatehouse.policy.snapshot.loaded", this, p -> p.snapshot() == null ? 0 : 1)
                .description("1 once a policy snapshot is loaded.").register(registry);
        Gauge.builder("gatehouse.policy.updates.connected", this, p -> p.connected() ? 1 : 0)
                .description("1 while the policy LISTEN connection is up; 0 means fail-static on the last snapshot.")
                .register(registry);
        Gauge.builder("gatehouse.policy.snapshot.age.seconds", this, PolicyService::snapshotAgeSeconds)
                .description("Seconds since the policy snapshot was last known current: read from the database"
                        + " (wholly, or the organisations a change named), or confirmed by the periodic version check;"
                        + " NaN before the first.").register(registry);
        FunctionCounter.builder("gatehouse.policy.reloads", this, PolicyService::reloads)
                .description("Policy snapshot loads.").register(registry);
    }

    private double snapshotAgeSeconds() {
        PolicySnapshot s = snapshot();
        return s == null ? Double.NaN : Duration.between(s.loadedAt(), Instant.now()).toMillis() / 1000.0;
    }

    public long reloads() {
        return reloads.sum();
    }

    /** When the update loop last went round (System.nanoTime), or Long.MIN_VALUE when its thread is dead. */
    public long lastProgressNanos() {
        return thread.isAlive() ? lastProgressNanos : Long.MIN_VALUE;
    }

    public long reloadFailures() {
        return reloadFailures.sum();
    }

    private void run() {
        long backoff = 100;
        while (running) {
            try (Connection c = database.dedicatedConnection("gatehouse-policies", 60)) {
                connection = c;
                schema.prepare(); // once, if the database was unreachable at start; throws until it is right
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                reload(c); // after LISTEN: a change made during the load triggers another
                connected = true;
                backoff = 100;
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (running) {
                    lastProgressNanos = System.nanoTime();
                    PGNotification[] n = pg.getNotifications(250);
                    if (n != null && n.length > 0) {
                        // a transaction notifies once per changed row, all at its commit: take what has
                        // arrived (without waiting for more), then read the organisations it names
                        Set<UUID> orgs = new HashSet<>();
                        boolean full = !collectOrgs(n, orgs);
                        while (!full && (n = pg.getNotifications()) != null && n.length > 0) {
                            full = !collectOrgs(n, orgs);
                        }
                        if (full || orgs.size() > MAX_PARTIAL_ORGS) {
                            reload(c);
                        } else {
                            reload(c, orgs);
                        }
                    } else if (System.nanoTime() - lastCheck >= refreshInterval.toNanos()) {
                        check(c);
                        lastCheck = System.nanoTime();
                    }
                }
            } catch (Throwable e) { // an OutOfMemoryError included: this thread must outlive any failure
                if (!running) {
                    return;
                }
                if (e instanceof Error) {
                    log.error("Policy updates failed; retrying", e);
                }
                if (e instanceof GatehouseException && !Database.unreachable(e)) {
                    log.error("{}", e.getMessage()); // e.g. the schema is behind: not ready until an operator acts
                }
                if (connected || current.get() == null) {
                    log.warn("Policy updates interrupted ({}); enforcing the last snapshot{} and reconnecting",
                            Database.sqlReason(e), current.get() == null ? " (none yet)" : "");
                }
                connected = false;
                reloadFailures.increment();
                lastProgressNanos = System.nanoTime();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            } finally {
                connection = null;
            }
        }
    }

    /**
     * Adds the organisations the notifications name; false when one names none (or cannot be read),
     * which asks for a full reload.
     */
    static boolean collectOrgs(PGNotification[] notifications, Set<UUID> orgs) {
        for (PGNotification n : notifications) {
            Matcher m = ORG_ID.matcher(n.getParameter());
            if (!m.find()) {
                return false;
            }
            try {
                orgs.add(UUID.fromString(m.group(1)));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    private void reload(Connection c, Set<UUID> orgs) throws SQLException {
        long t0 = System.nanoTime();
        PolicySnapshot s = PolicySnapshotLoader.reload(c, current.get(), orgs);
        current.set(s);
        reloads.increment();
        log.debug("Policy snapshot: {} organisation(s) reloaded in {} µs", orgs.size(), (System.nanoTime() - t0) / 1_000);
    }

    /** The safety check: the organisations whose version moved unnoticed, read again; usually none. */
    private void check(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        PolicySnapshotLoader.Refresh r = PolicySnapshotLoader.refresh(c, current.get(), MAX_PARTIAL_ORGS);
        current.set(r.snapshot());
        if (!r.reloaded().isEmpty()) {
            reloads.increment();
            // a missed notification, or one still on its way
            log.debug("Policy version check: {} organisation(s) changed since last read; {} in {} ms",
                    r.reloaded().size(), r.full() ? "everything reloaded" : "reloaded",
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private void reload(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        PolicySnapshot s = PolicySnapshotLoader.load(c);
        current.set(s);
        reloads.increment();
        log.debug("Policy snapshot loaded: {} organisations, {} tokens in {} ms", s.orgsById().size(),
                s.tokens().size(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
