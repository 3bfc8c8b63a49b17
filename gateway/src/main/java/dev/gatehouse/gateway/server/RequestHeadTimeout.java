package dev.gatehouse.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request head does not arrive in time, counted from its first byte:
 * the slowloris defence (a sender that trickles one header byte every few seconds is never idle,
 * so the idle timeout alone would not catch it). Sits before the HTTP codec to see the first byte;
 * the proxy handler says when a head arrived and when the next one is awaited.
 */
public final class RequestHeadTimeout extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private boolean awaiting = true;
    /** When the awaited head's first byte came; 0 while none is on its way. */
    private long headStartedAt;
    /**
     * One pending check for the connection, not one per request: a head that arrives in time leaves it to fire
     * and find nothing to do; it re-arms itself for a head begun meanwhile (on a busy connection, one wake-up per
     * timeout period instead of a task scheduled and cancelled per request).
     */
    private ScheduledFuture<?> pending;

    public RequestHeadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaiting && headStartedAt == 0 && msg instanceof ByteBuf b && b.isReadable()) {
            headStartedAt = System.nanoTime();
            if (pending == null) {
                schedule(ctx, timeoutNanos);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void schedule(ChannelHandlerContext ctx, long nanos) {
        pending = ctx.executor().schedule(() -> check(ctx), nanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        pending = null;
        if (headStartedAt == 0) {
            return;
        }
        long waited = System.nanoTime() - headStartedAt;
        if (waited < timeoutNanos) {
            schedule(ctx, timeoutNanos - waited);
        } else {
            ctx.close();
        }
    }

    /** A complete request head arrived. */
    public void headReceived() {
        awaiting = false;
        headStartedAt = 0;
    }

    /** The next request's head is awaited; its clock starts at its first byte. */
    public void awaitHead() {
        awaiting = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        headReceived();
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        ctx.fireChannelInactive();
    }
}
