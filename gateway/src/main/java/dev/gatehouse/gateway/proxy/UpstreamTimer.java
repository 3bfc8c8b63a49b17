package dev.gatehouse.gateway.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The upstream response timeout of one client connection's exchanges, in turn: the upstream may be silent for
 * at most {@code timeout} at a time — after the request was sent, and again after each piece of the response
 * the client took.
 *
 * <p>One task per connection, not one per request: {@link #waiting} only notes the time and who waits, an
 * exchange that is over only says so, and the task — when it fires — re-arms itself for what is left of the
 * current wait, or stops when nobody waits. On a busy connection that is one wake-up per timeout period instead
 * of a task scheduled and cancelled per request. Event loop only.
 */
final class UpstreamTimer {
    /** Told when its wait on the upstream ran out. */
    interface Waiter {
        void upstreamTimedOut();
    }

    private final EventLoop loop;
    private final long timeoutNanos;
    private Waiter waiter;
    private long waitingSince;
    private ScheduledFuture<?> task;

    UpstreamTimer(EventLoop loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
    }

    /** {@code w} now waits on the upstream: from now, the upstream has {@code timeout} to say something. */
    void waiting(Waiter w) {
        waiter = w;
        waitingSince = System.nanoTime();
        if (task == null) {
            schedule(timeoutNanos);
        }
    }

    /** The upstream said something to {@code w} (or went away): not waiting until {@link #waiting} again. */
    void answered(Waiter w) {
        if (waiter == w) {
            waitingSince = 0;
        }
    }

    /** {@code w} no longer needs the upstream. The task, if any, stays: it will find nobody waiting. */
    void done(Waiter w) {
        if (waiter == w) {
            waiter = null;
            waitingSince = 0;
        }
    }

    /** The client connection closed. */
    void close() {
        waiter = null;
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
        Waiter timedOut = waiter;
        waiter = null;
        waitingSince = 0;
        timedOut.upstreamTimedOut();
    }
}
