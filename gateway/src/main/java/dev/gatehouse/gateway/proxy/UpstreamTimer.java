package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.timers.RearmingTimeout;
import io.netty.channel.EventLoop;

/**
 * The upstream response timeout of one client connection's exchanges, in turn: the upstream may be silent for
 * at most {@code timeout} at a time — after the request was sent, and again after each piece of the response
 * the client took. One {@link RearmingTimeout} for the connection; this adds who is waiting, so that an exchange
 * that is over cannot stop (or be told about) the next one's wait. Event loop only.
 */
final class UpstreamTimer {
    /** Told when its wait on the upstream ran out. */
    interface Waiter {
        void upstreamTimedOut();
    }

    private final RearmingTimeout timeout;
    private Waiter waiter;

    UpstreamTimer(EventLoop loop, long timeoutNanos) {
        this.timeout = new RearmingTimeout(loop, timeoutNanos, this::timedOut);
    }

    /** {@code w} now waits on the upstream: from now, the upstream has {@code timeout} to say something. */
    void waiting(Waiter w) {
        waiter = w;
        timeout.start();
    }

    /** The upstream said something to {@code w} (or went away): not waiting until {@link #waiting} again. */
    void answered(Waiter w) {
        if (waiter == w) {
            timeout.stop();
        }
    }

    /** {@code w} no longer needs the upstream. */
    void done(Waiter w) {
        if (waiter == w) {
            waiter = null;
            timeout.stop();
        }
    }

    /** The client connection closed. */
    void close() {
        waiter = null;
        timeout.close();
    }

    private void timedOut() {
        Waiter timedOut = waiter;
        waiter = null;
        if (timedOut != null) {
            timedOut.upstreamTimedOut();
        }
    }
}
