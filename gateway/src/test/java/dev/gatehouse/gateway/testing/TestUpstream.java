package dev.gatehouse.gateway.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP upstream for tests (the JDK's own server, independent of Netty): records every request
 * it receives and answers with "seen N bytes, sha256 X".
 */
public final class TestUpstream implements AutoCloseable {
    /** What the upstream received. */
    public record Received(String method, String uri, Headers headers, long bodyBytes, String sha256, int remotePort) {
        public String header(String name) {
            return headers.getFirst(name);
        }

        public List<String> all(String name) {
            List<String> v = headers.get(name);
            return v == null ? List.of() : v;
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    public TestUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try (exchange) {
                long n = 0;
                MessageDigest sha;
                try {
                    sha = MessageDigest.getInstance("SHA-256");
                } catch (Exception e) {
                    throw new IOException(e);
                }
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] buf = new byte[65536];
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        sha.update(buf, 0, r);
                        n += r;
                    }
                }
                String digest = HexFormat.of().formatHex(sha.digest());
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders(), n, digest, exchange.getRemoteAddress().getPort()));
                byte[] body = ("seen " + n + " bytes, sha256 " + digest + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.getResponseHeaders().add("X-Upstream", "test");
                if (exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next request the upstream received (waits up to 5 s). */
    public Received take() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the upstream received no request");
        }
        return r;
    }

    public void clear() {
        received.clear();
    }

    public boolean nothingReceived() {
        return received.isEmpty();
    }


    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
