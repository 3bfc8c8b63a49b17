package dev.gatehouse.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of one pooled connection: hands what the upstream sends to the exchange that
 * currently owns the connection. Between exchanges (idle in the pool) nothing should arrive; anything
 * that does, including the upstream closing, closes the connection.
 */
final class ProxyBackendHandler extends ChannelInboundHandlerAdapter {
    /** The exchange using this connection, or null while idle. */
    private UpstreamListener listener;
    /** The pool's bookkeeping: when the connection went idle (0 while in use), and whether it served before. */
    long idleSince;
    boolean reused;

    /** What the frontend implements to receive the upstream's messages. */
    interface UpstreamListener {
        void upstreamMessage(Object msg);

        void upstreamClosed(Throwable cause);

        /** The upstream's read batch is over: flush what was written to the client meanwhile. */
        void upstreamReadComplete();
    }

    void attach(UpstreamListener l) {
        this.listener = l;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.upstreamMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.upstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.upstreamClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        ctx.close();
        if (l != null) {
            l.upstreamClosed(cause);
        }
    }
}
