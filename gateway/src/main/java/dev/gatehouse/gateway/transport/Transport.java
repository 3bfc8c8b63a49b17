package dev.gatehouse.gateway.transport;

import dev.gatehouse.core.GatehouseException;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.Locale;

/**
 * The I/O transport, one for servers and clients alike ({@code gatehouse.server.transport}): io_uring where the kernel
 * allows it, else native epoll on Linux, else NIO. Upstream connections use their client's event loop, so they share
 * its transport.
 */
public enum Transport {
    IO_URING("io_uring", IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class),
    EPOLL("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class),
    NIO("nio", NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);

    /**
     * A test and CI hook: {@code -Dgatehouse.transport=epoll} stands in for {@code auto} (so a suite can run on each
     * transport without a config of its own). An explicit setting is never overridden.
     */
    static final String AUTO_OVERRIDE = "gatehouse.transport";

    /** What {@code gatehouse.server.transport} may say, in auto's order of preference after "auto". */
    public static final List<String> SETTINGS = List.of("auto", "io_uring", "epoll", "nio");

    private final String setting;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends DatagramChannel> datagramChannel;

    Transport(String setting, Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
              Class<? extends DatagramChannel> datagramChannel) {
        this.setting = setting;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.datagramChannel = datagramChannel;
    }

    /** How the setting names it. */
    public String setting() {
        return setting;
    }

    /** Whether this host can run it; NIO always can. */
    public boolean available() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO -> true;
        };
    }

    /** Why it cannot run here (null when it can). */
    public String unavailability() {
        if (available()) {
            return null;
        }
        Throwable why = this == IO_URING ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause();
        String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        return "not available on " + os + (why == null ? "" : ": " + why.getMessage());
    }

    /**
     * The transport for a setting: {@code auto} (io_uring, else epoll, else NIO), or one by name, which must be
     * available here — a named transport that cannot run fails the start rather than quietly running another.
     */
    public static Transport choose(String setting) {
        String s = setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            String forced = System.getProperty(AUTO_OVERRIDE, "auto").trim().toLowerCase(Locale.ROOT);
            if (!forced.equals("auto") && !forced.isEmpty()) {
                return choose(forced);
            }
            for (Transport t : values()) {
                if (t.available()) {
                    return t;
                }
            }
        }
        for (Transport t : values()) {
            if (t.setting.equals(s)) {
                if (!t.available()) {
                    throw new GatehouseException("gatehouse.server.transport = " + t.setting + ", but " + t.setting + " is "
                            + t.unavailability() + "; use auto (or another transport)");
                }
                return t;
            }
        }
        throw new GatehouseException("gatehouse.server.transport: expected auto, io_uring, epoll or nio, got '"
                + setting + "'"); // the settings checked it: only -Dgatehouse.transport gets here
    }

    /** The choice and, for auto, what it passed over and why: an arm64 host silently on NIO was a surprise once. */
    public String describe(String setting) {
        StringBuilder b = new StringBuilder(this.setting).append(this == NIO ? "" : " (native)").append(", ")
                .append(System.getProperty("os.arch"));
        if (!setting.trim().equalsIgnoreCase(this.setting)) {
            b.append("; chosen by auto");
            for (Transport t : values()) {
                if (t == this) {
                    break;
                }
                b.append("; ").append(t.setting).append(' ').append(t.available()
                        ? "passed over (-D" + AUTO_OVERRIDE + "=" + this.setting + ")" : t.unavailability());
            }
        }
        return b.toString();
    }

    public EventLoopGroup newGroup(int threads) {
        IoHandlerFactory factory = switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    /** For the non-blocking DNS resolver of upstream host names. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return datagramChannel;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }
}
