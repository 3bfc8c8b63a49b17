package dev.gatehouse.gateway.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An exchange's upstream response timeout: the upstream may be silent for at most {@code timeout} at a
 * time — after the request was sent, and again after each piece of the response the client took.
 *
 * <p>One task is scheduled per wait, not one per piece: {@link #waiting} only notes the time, and a task
 * that fires early (the upstream spoke meanwhile) re-arms itself for what is left. Event loop only.
 */
final class UpstreamTimer {
    private final EventLoop loop;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private long waitingSince;
    private ScheduledFuture<?> task;

    UpstreamTimer(EventLoop loop, long timeoutNanos, Runnable onTimeout) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** The gateway now waits on the upstream: from now, it has {@code timeout} to say something. */
    void waiting() {
        waitingSince = System.nanoTime();
        if (task == null) {
            schedule(timeoutNanos);
        }
    }

    /** The upstream said something (or went away): not waiting until {@link #waiting} again. */
    void answered() {
        waitingSince = 0;
    }

    /** The exchange no longer needs the upstream. */
    void cancel() {
        waitingSince = 0;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long nanos) {
        task = loop.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        task = null;
        if (waitingSince == 0) {
            return;
        }
        long waited = System.nanoTime() - waitingSince;
        if (waited < timeoutNanos) {
            schedule(timeoutNanos - waited);
            return;
        }
        waitingSince = 0;
        onTimeout.run();
    }
}
