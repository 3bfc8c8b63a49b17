package dev.gatehouse.gateway.support;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll on Linux when its library loads, NIO otherwise; one choice for servers and clients alike. */
public enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);

    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends DatagramChannel> datagramChannel;

    Transport(Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
              Class<? extends DatagramChannel> datagramChannel) {
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.datagramChannel = datagramChannel;
    }

    /** For the non-blocking DNS resolver of upstream host names. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return datagramChannel;
    }

    public static Transport best() {
        if (!Boolean.getBoolean("gatehouse.nio") && Epoll.isAvailable()) {
            return EPOLL;
        }
        return NIO;
    }

    /** What {@link #best()} chose and why, for the start-up log: an arm64 host silently on NIO was a surprise once. */
    public static String describeBest() {
        if (Boolean.getBoolean("gatehouse.nio")) {
            return "NIO (-Dgatehouse.nio=true)";
        }
        if (Epoll.isAvailable()) {
            return "epoll (native, " + System.getProperty("os.arch") + ")";
        }
        Throwable why = Epoll.unavailabilityCause();
        return "NIO (native epoll unavailable on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                + (why == null ? "" : ": " + why.getMessage()) + ")";
    }

    public EventLoopGroup newGroup(int threads) {
        IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }
}
