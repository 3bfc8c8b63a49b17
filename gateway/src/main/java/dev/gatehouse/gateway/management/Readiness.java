package dev.gatehouse.gateway.management;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this gateway should receive traffic, checked on its own thread (never on an event loop):
 * the public listener is bound, the database answers, the schema is current, a policy snapshot is loaded, and the
 * long-lived threads it watches ({@link #watch}) go round their loops.
 * /readyz reads the last result.
 */
public final class Readiness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    private final Database database;
    private final ScheduledExecutorService checker;
    private volatile boolean databaseUp;
    private volatile String databaseError = "not checked yet";
    private final BooleanSupplier schemaCurrent;
    private final BooleanSupplier policiesLoaded;
    private volatile boolean listening;
    /** The checker thread's own connection. */
    private Connection connection;
    /** Long-lived threads whose progress readiness follows: name -> (last progress, how long a pause is a stall). */
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    private record Watch(LongSupplier lastProgressNanos, long stallNanos) {
        static final String DEAD = "dead";

        /** Null when the thread goes round; otherwise what is wrong with it. */
        String problem() {
            long last = lastProgressNanos.getAsLong();
            if (last == Long.MIN_VALUE) {
                return DEAD;
            }
            long idle = System.nanoTime() - last;
            return idle > stallNanos ? "stalled for " + TimeUnit.NANOSECONDS.toSeconds(idle) + " s" : null;
        }
    }

    private final Duration interval;
    private final MeterRegistry registry;

    public Readiness(Database database, BooleanSupplier schemaCurrent,
                     BooleanSupplier policiesLoaded, Duration interval, MeterRegistry registry) {
        this.database = database;
        this.schemaCurrent = schemaCurrent;
        this.policiesLoaded = policiesLoaded;
        this.interval = interval;
        this.registry = registry;
        this.checker = DaemonScheduler.named("gatehouse-readiness");
        Gauge.builder("gatehouse.database.up", this, r -> r.databaseUp() ? 1 : 0)
                .description("1 when the last database check succeeded.").register(registry);
    }

    /** Checks the database now when it answered at open (so it is known before the listener opens), then periodically. */
    public Readiness start() {
        if (database.reachableAtOpen()) {
            check();
        } // else the first check runs on the checker's thread: a start never waits on an absent database
        checker.scheduleWithFixedDelay(this::check, database.reachableAtOpen() ? interval.toMillis() : 0,
                interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One look at the database, on a connection of the checker's own (not the pool's: a pool hands out a connection
     * it checked half a second ago, and waits its timeout when there is none): an outage shows at the next check.
     */
    private void check() {
        boolean was = databaseUp;
        try {
            if (connection == null) {
                connection = database.dedicatedConnection("gatehouse-readiness", 10);
            }
            boolean ok = connection.isValid(2);
            databaseUp = ok;
            databaseError = ok ? null : "the connection did not answer within 2 s";
            if (!ok) {
                dropConnection();
            }
        } catch (Throwable e) {
            databaseUp = false;
            databaseError = Database.sqlReason(e);
            dropConnection();
        }
        if (was != databaseUp) {
            if (databaseUp) {
                log.info("Database reachable");
            } else {
                log.warn("Database unreachable: {}", databaseError);
            }
        }
    }

    /**
     * Follows a long-lived thread (the audit writer, the policy listener): one that died, or has not gone round its
     * loop for {@code stallAfter}, makes the gateway not ready — its work (policy updates, the audit log) would
     * silently stop otherwise — and /readyz says which.
     */
    public void watch(String name, LongSupplier lastProgressNanos, Duration stallAfter) {
        watches.put(name, new Watch(lastProgressNanos, stallAfter.toNanos()));
        Gauge.builder("gatehouse.thread.seconds.since.progress", this, r -> r.secondsSinceProgress(name))
                .description("Seconds since a long-lived thread last went round its loop (-1: the thread died).")
                .tag("thread", name).register(registry);
    }

    /** The watched threads that have died (not merely stalled). */
    public List<String> deadThreads() {
        List<String> out = new ArrayList<>();
        threadProblems().forEach((name, problem) -> {
            if (problem.equals(Watch.DEAD)) {
                out.add(name);
            }
        });
        return out;
    }

    /** Seconds since a watched thread last went round its loop (-1: dead), for /metrics. */
    private double secondsSinceProgress(String name) {
        Watch w = watches.get(name);
        long last = w.lastProgressNanos().getAsLong();
        return last == Long.MIN_VALUE ? -1 : (System.nanoTime() - last) / 1e9;
    }

    /** The watched threads that are dead or stalled, with what is wrong; empty when all go round. */
    public Map<String, String> threadProblems() {
        Map<String, String> out = new LinkedHashMap<>();
        watches.forEach((name, w) -> {
            String p = w.problem();
            if (p != null) {
                out.put(name, p);
            }
        });
        return out;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (Exception e) {
                log.debug("closing the readiness connection: {}", e.toString());
            }
            connection = null;
        }
    }

    /** The public listener is bound: until then the gateway is not ready, whatever else is. */
    public void listening() {
        listening = true;
    }

    public boolean databaseUp() {
        return databaseUp;
    }

    /**
     * Ready to take traffic: the public listener is up, the schema was current and a policy snapshot is loaded. A database
     * outage after that leaves the gateway ready but degraded (fail-static: it enforces the last
     * snapshot), so load balancers keep sending it traffic.
     */
    public boolean ready() {
        return listening && schemaCurrent.getAsBoolean() && policiesLoaded.getAsBoolean() && threadProblems().isEmpty();
    }

    /** "ready", "degraded" (serving from the last snapshot, database down) or "not ready". */
    public String status() {
        if (!ready()) {
            return "not ready";
        }
        return databaseUp ? "ready" : "degraded";
    }

    /** The checks, for the /readyz body. */
    public Map<String, Object> checks() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listener", listening ? "up" : "starting");
        m.put("database", databaseUp ? "up" : "down: " + databaseError);
        m.put("schema", schemaCurrent.getAsBoolean() ? "current" : "not checked yet (database unreachable) or not current");
        m.put("policies", policiesLoaded.getAsBoolean() ? (databaseUp ? "loaded" : "last snapshot (database down)") : "not loaded");
        if (!watches.isEmpty()) {
            Map<String, String> threads = new LinkedHashMap<>();
            watches.keySet().forEach(name -> threads.put(name, "running"));
            threads.putAll(threadProblems());
            m.put("threads", threads);
        }
        return m;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropConnection();
    }
}
