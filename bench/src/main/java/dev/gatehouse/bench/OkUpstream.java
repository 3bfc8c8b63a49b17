package dev.gatehouse.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The benchmarks' upstream: the JDK's HTTP server on loopback, answering every request "ok". */
public final class OkUpstream {
    private OkUpstream() {
    }

    /** Started, on {@code threads} threads, with TCP_NODELAY (else Nagle and delayed ACKs stall each response). */
    public static HttpServer start(int threads) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // read when the first server is made
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ok-upstream");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }
}
