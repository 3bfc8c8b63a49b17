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
    private ScheduledFuture<?> timer;

    public RequestHeadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaiting && timer == null && msg instanceof ByteBuf b && b.isReadable()) {
            timer = ctx.executor().schedule(() -> {
                if (awaiting) {
                    ctx.close();
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** A complete request head arrived. */
    public void headReceived() {
        awaiting = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The next request's head is awaited; its clock starts at its first byte. */
    public void awaitHead() {
        awaiting = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        headReceived();
        ctx.fireChannelInactive();
    }
}
