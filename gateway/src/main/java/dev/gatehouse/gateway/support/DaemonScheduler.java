package dev.gatehouse.gateway.support;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The gateway's background timers (readiness, retention, token use): one daemon thread each, named for its job. */
public final class DaemonScheduler {
    private DaemonScheduler() {
    }

    public static ScheduledExecutorService named(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
