package dev.gatehouse.gateway.sso;

import dev.gatehouse.gateway.timers.DaemonScheduler;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads sign-ins run on (each waits on a provider; the event loops never do), shared fairly between
 * organisations: one organisation runs at most {@code perKey} sign-ins at once and queues at most {@code queuePerKey}
 * more, so a provider that hangs for its whole timeout holds {@code perKey} threads — never the others' sign-ins.
 * A task beyond that is refused at once (the caller answers 503), as is a new organisation when {@code maxKeys} are
 * waiting already.
 */
final class SignInThreads implements AutoCloseable {
    private final ExecutorService threads;
    private final int perKey;
    private final int queuePerKey;
    private final int maxKeys;
    /** Per organisation: how many run, and what waits. Guarded by itself. */
    private final Map<Object, Lane> lanes = new HashMap<>();

    private static final class Lane {
        int running;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    SignInThreads(int threads, int perKey, int queuePerKey, int maxKeys) {
        this.perKey = perKey;
        this.queuePerKey = queuePerKey;
        this.maxKeys = maxKeys;
        // the queue holds at most maxKeys * perKey tasks: each lane hands the pool at most perKey at a time
        this.threads = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonScheduler.threads("gatehouse-sign-in", true));
    }

    /** Runs {@code task} for {@code key} (an organisation) when it may; false when refused (busy). */
    boolean submit(Object key, Runnable task) {
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            if (lane == null) {
                if (lanes.size() >= maxKeys) {
                    return false;
                }
                lane = new Lane();
                lanes.put(key, lane);
            }
            if (lane.running < perKey) {
                lane.running++;
            } else if (lane.waiting.size() < queuePerKey) {
                lane.waiting.add(task);
                return true;
            } else {
                return false;
            }
        }
        start(key, task);
        return true;
    }

    private void start(Object key, Runnable task) {
        try {
            threads.execute(() -> {
                try {
                    task.run();
                } finally {
                    next(key);
                }
            });
        } catch (RuntimeException shutDown) {
            next(key);
        }
    }

    private void next(Object key) {
        Runnable next;
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            next = lane == null ? null : lane.waiting.poll();
            if (next == null && lane != null && --lane.running == 0) {
                lanes.remove(key);
            }
        }
        if (next != null) {
            start(key, next);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
