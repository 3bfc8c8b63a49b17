package dev.gatehouse.gateway.clientip;

import dev.gatehouse.core.net.IpAddress;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The peer of a client connection: the socket peer, or the source address a PROXY protocol header
 * announced. Stored once per connection; everything else asks here.
 */
final class PeerAddress {
    static final AttributeKey<IpAddress> KEY = AttributeKey.valueOf("gatehouse.peer");

    private PeerAddress() {
    }

    public static IpAddress of(Channel ch) {
        IpAddress a = ch.attr(KEY).get();
        if (a == null) {
            a = socketPeer(ch);
            ch.attr(KEY).set(a);
        }
        return a;
    }

    static IpAddress socketPeer(Channel ch) {
        return IpAddress.of(((InetSocketAddress) ch.remoteAddress()).getAddress().getAddress());
    }

    static void set(Channel ch, IpAddress peer) {
        ch.attr(KEY).set(peer);
    }
}
