package dev.gatehouse.gateway.sso;

import dev.gatehouse.gateway.timers.DaemonScheduler;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads sign-ins run on (each waits on a provider; the event loops never do), shared fairly between
 * organisations: one organisation runs at most {@code perKey} sign-ins at once and queues at most {@code queuePerKey}
 * more, so a provider that hangs for its whole timeout holds {@code perKey} threads — never the others'. Threads are
 * made on demand up to {@code maxThreads} (idle ones end after a minute), so as many organisations as
 * {@code maxThreads / perKey} can wait on hung providers at once — a shared identity vendor's outage — and the next
 * one still gets a thread. A lane runs its queued work on the thread that finished the previous piece, so queued work
 * never needs a new thread.
 *
 * <p>A task beyond its organisation's queue, or when every thread is busy, is refused at once (the caller answers
 * 503); every task accepted either runs or has its {@code refused} callback run (at shutdown), so no caller waits
 * forever.
 */
final class SignInThreads implements AutoCloseable {
    private final ThreadPoolExecutor threads;
    private final int perKey;
    private final int queuePerKey;
    private final int maxKeys;
    /** Per organisation: how many run, and what waits. Guarded by itself. */
    private final Map<Object, Lane> lanes = new HashMap<>();

    private record Task(Runnable work, Runnable refused) {
    }

    private static final class Lane {
        int running;
        final ArrayDeque<Task> waiting = new ArrayDeque<>();
    }

    SignInThreads(int maxThreads, int perKey, int queuePerKey, int maxKeys) {
        this.perKey = perKey;
        this.queuePerKey = queuePerKey;
        this.maxKeys = maxKeys;
        this.threads = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonScheduler.threads("gatehouse-sign-in", true));
    }

    /**
     * Runs {@code work} for {@code key} (an organisation) when it may; false when refused (busy). Once accepted, either
     * {@code work} runs or, should the gateway stop first, {@code refused} does.
     */
    boolean submit(Object key, Runnable work, Runnable refused) {
        Task task = new Task(work, refused);
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            if (lane == null) {
                if (lanes.size() >= maxKeys) {
                    return false;
                }
                lane = new Lane();
                lanes.put(key, lane);
            }
            if (lane.running >= perKey) {
                if (lane.waiting.size() >= queuePerKey) {
                    return false;
                }
                lane.waiting.add(task);
                return true;
            }
            lane.running++;
        }
        try {
            threads.execute(() -> runLane(key, task));
            return true;
        } catch (RejectedExecutionException allBusy) {
            Task left;
            while ((left = finished(key)) != null) { // give back the slot; anything queued behind it is refused too
                left.refused().run();
            }
            return false;
        }
    }

    /** Runs a task, then its lane's queued ones, on this thread. */
    private void runLane(Object key, Task first) {
        Task t = first;
        while (t != null) {
            try {
                if (threads.isShutdown()) {
                    t.refused().run();
                } else {
                    t.work().run();
                }
            } catch (Throwable e) {
                // the work answers its own failures; nothing may stop the lane
            }
            t = finished(key);
        }
    }

    /** The lane's next waiting task, or null after giving its slot back (and the lane, when idle). */
    private Task finished(Object key) {
        synchronized (lanes) {
            Lane lane = lanes.get(key);
            if (lane == null) {
                return null;
            }
            Task next = lane.waiting.poll();
            if (next == null && --lane.running == 0) {
                lanes.remove(key);
            }
            return next;
        }
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
