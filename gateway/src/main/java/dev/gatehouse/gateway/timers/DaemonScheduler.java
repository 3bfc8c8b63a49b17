package dev.gatehouse.gateway.timers;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's background threads (readiness, retention, token use, the audit database, sign-ins): daemons, named
 * for their job so that a thread dump says who is waiting on what.
 */
public final class DaemonScheduler {
    private DaemonScheduler() {
    }

    /** A timer on one daemon thread called {@code threadName}. */
    public static ScheduledExecutorService named(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(threads(threadName, false));
    }

    /** Daemon threads called {@code name}, or {@code name-1}, {@code name-2}... when {@code numbered}. */
    public static ThreadFactory threads(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
