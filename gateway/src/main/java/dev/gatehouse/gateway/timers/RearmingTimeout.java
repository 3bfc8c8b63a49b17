package dev.gatehouse.gateway.timers;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timeout for waits that come one after another on one connection — a request head, then the next one; the
 * upstream's answer, then the next — kept as one pending task instead of a task scheduled and cancelled per wait:
 * {@link #start} notes the time, {@link #stop} forgets it, and the task, when it fires, re-arms itself for what is
 * left of a wait begun meanwhile, or lapses when none is running. On a busy connection that is one wake-up per
 * timeout period. Event loop only.
 */
public final class RearmingTimeout {
    private final EventExecutor loop;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private final Runnable check = this::check; // one per connection, not one per scheduling
    /** When the running wait began; 0 while none runs. */
    private long startedAt;
    private ScheduledFuture<?> pending;

    public RearmingTimeout(EventExecutor loop, long timeoutNanos, Runnable onTimeout) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** A wait begins now (one running starts over): {@code onTimeout} runs if it lasts the whole timeout. */
    public void start() {
        startedAt = System.nanoTime();
        if (pending == null) {
            schedule(timeoutNanos);
        }
    }

    public boolean running() {
        return startedAt != 0;
    }

    /** The wait ended in time. The pending task stays and will find nothing to do. */
    public void stop() {
        startedAt = 0;
    }

    /** The connection closed: no more waits. */
    public void close() {
        startedAt = 0;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void schedule(long nanos) {
        pending = loop.schedule(check, nanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        pending = null;
        if (startedAt == 0) {
            return;
        }
        long waited = System.nanoTime() - startedAt;
        if (waited < timeoutNanos) {
            schedule(timeoutNanos - waited);
            return;
        }
        startedAt = 0;
        onTimeout.run();
    }
}
