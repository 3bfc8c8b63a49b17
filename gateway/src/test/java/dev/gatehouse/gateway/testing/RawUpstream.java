package dev.gatehouse.gateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP server on loopback for upstreams that speak HTTP by hand (scripted, mutated or parsed by another
 * library): each accepted connection is served by {@code handler} on a daemon thread of its own, with TCP_NODELAY
 * (no Nagle wait between a response's writes).
 */
public final class RawUpstream implements AutoCloseable {
    /** Serves one connection; the socket is closed when it returns. */
    public interface Handler {
        void serve(Socket s, int connection) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public RawUpstream(Handler handler) throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    int n = connections.incrementAndGet();
                    open.add(s);
                    Thread h = new Thread(() -> {
                        try (s) {
                            handler.serve(s, n);
                        } catch (IOException e) {
                            // the gateway closed the connection
                        } finally {
                            open.remove(s);
                        }
                    }, "raw-upstream-" + n);
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-upstream");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
