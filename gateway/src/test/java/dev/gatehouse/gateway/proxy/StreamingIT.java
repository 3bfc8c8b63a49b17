package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import dev.gatehouse.gateway.testing.TestUpstream;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Large bodies both ways with memory bounded by backpressure, and WebSocket through the tunnel. */
class StreamingIT {
    static final long HUNDRED_MB = 100L * 1024 * 1024;

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream sink;
    static ScriptedUpstream source;
    static EventLoopGroup wsGroup;
    static Channel wsServer;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        sink = new TestUpstream();
        source = new ScriptedUpstream((s, head) -> {
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + HUNDRED_MB + "\r\n\r\n").getBytes());
            byte[] chunk = pattern(64 * 1024);
            for (long sent = 0; sent < HUNDRED_MB; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
        });
        wsGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        wsServer = new ServerBootstrap().group(wsGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + f.text()));
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int wsPort = ((InetSocketAddress) wsServer.localAddress()).getPort();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.server.max-body-size = 200m\n"
                        + "gatehouse.routes = [\n"
                        + "  { prefix = \"/download\", upstream = \"http://127.0.0.1:" + source.port() + "\" }\n"
                        + "  { prefix = \"/ws\", upstream = \"http://127.0.0.1:" + wsPort + "\" }\n"
                        + "  { prefix = \"/\", upstream = \"http://127.0.0.1:" + sink.port() + "\" }\n"
                        + "]\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        sink.close();
        source.close();
        wsServer.close().sync();
        wsGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Samples the most buffer memory Netty's allocator held while {@code work} ran. */
    static long peakNettyMemory(ThrowingRunnable work) throws Exception {
        var metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        AtomicLong peak = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(metric.usedDirectMemory() + metric.usedHeapMemory(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        try {
            work.run();
        } finally {
            done.set(true);
            sampler.join();
        }
        return peak.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void hundredMegabytesUpStreamWithBoundedMemory() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long peak = peakNettyMemory(() -> {
            try (Socket s = new Socket("127.0.0.1", gateway.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + HUNDRED_MB + "\r\n\r\n").getBytes());
                byte[] chunk = pattern(64 * 1024);
                for (long sent = 0; sent < HUNDRED_MB; sent += chunk.length) {
                    out.write(chunk);
                    sha.update(chunk);
                }
                out.flush();
                InputStream in = s.getInputStream();
                String head = new String(in.readNBytes(12));
                assertThat(head).isEqualTo("HTTP/1.1 200");
            }
        });
        TestUpstream.Received got = sink.take();
        assertThat(got.bodyBytes()).isEqualTo(HUNDRED_MB);
        assertThat(got.sha256()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
        assertThat(peak).as("Netty buffer memory while 100 MB passed").isLessThan(32L * 1024 * 1024);
    }

    @Test
    void hundredMegabytesDownStreamWithBoundedMemory() throws Exception {
        AtomicLong received = new AtomicLong();
        long peak = peakNettyMemory(() -> {
            try (RawHttp c = new RawHttp(gateway.port())) {
                c.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
                RawHttp.Response r = c.read();
                received.set(r.body().length());
                assertThat(r.status()).isEqualTo(200);
            }
        });
        assertThat(received.get()).isEqualTo(HUNDRED_MB);
        assertThat(peak).as("Netty buffer memory while 100 MB passed").isLessThan(32L * 1024 * 1024);
    }

    @Test
    void webSocketEchoThroughTheTunnel() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("hello through gatehouse", true).get(5, TimeUnit.SECONDS);
        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("echo: hello through gatehouse");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
}
