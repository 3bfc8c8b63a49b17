package dev.gatehouse.gateway.request;

import dev.gatehouse.gateway.timers.RearmingTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Closes a connection whose request head does not arrive in time, counted from its first byte:
 * the slowloris defence (a sender that trickles one header byte every few seconds is never idle,
 * so the idle timeout alone would not catch it). Sits before the HTTP codec to see the first byte;
 * the proxy handler says when a head arrived and when the next one is awaited.
 */
public final class RequestHeadTimeout extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private boolean awaiting = true;
    /** Runs from a head's first byte to the head's end; one pending check for the connection's heads in turn. */
    private RearmingTimeout timeout;

    public RequestHeadTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = new RearmingTimeout(ctx.executor(), timeoutNanos, ctx::close);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaiting && !timeout.running() && msg instanceof ByteBuf b && b.isReadable()) {
            timeout.start();
        }
        ctx.fireChannelRead(msg);
    }

    /** A complete request head arrived. */
    public void headReceived() {
        awaiting = false;
        timeout.stop();
    }

    /** The next request's head is awaited; its clock starts at its first byte. */
    public void awaitHead() {
        awaiting = true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        awaiting = false;
        timeout.close();
        ctx.fireChannelInactive();
    }
}
