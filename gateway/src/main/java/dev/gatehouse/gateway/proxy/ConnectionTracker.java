package dev.gatehouse.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open client connections, for a graceful shutdown: stop taking new requests on idle
 * connections, let in-flight exchanges finish (with Connection: close), and cut what is left after
 * the drain timeout.
 */
public final class ConnectionTracker {
    /** The user event sent to every connection when draining starts. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final ChannelGroup channels = new DefaultChannelGroup("gatehouse-clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    public void add(Channel ch) {
        channels.add(ch);
    }

    public boolean draining() {
        return draining;
    }

    public int open() {
        return channels.size();
    }

    /**
     * Starts draining and waits up to {@code timeout} for the connections to close; then closes the rest.
     *
     * @return the connections still open at the deadline, cut
     */
    public int drain(Duration timeout) {
        draining = true;
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DRAIN));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!channels.isEmpty() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int cut = channels.size();
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        return cut;
    }
}
