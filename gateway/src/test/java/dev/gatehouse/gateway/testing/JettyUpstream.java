package dev.gatehouse.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpCompliance;

/**
 * An upstream that reads what the gateway sends with Jetty's parser in strict mode, on a real socket, and answers
 * each request with {@code X-Upstream-Seq: N} and a body naming what it parsed (sequence, target, X-Request-Id).
 * Keeps every request it parsed, and every parse error (a message the gateway sent that a strict server refuses).
 */
public final class JettyUpstream implements AutoCloseable {
    public record Seen(int seq, JettyParsed.Request request) {
    }

    private final RawUpstream server;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();

    public JettyUpstream() throws IOException {
        server = new RawUpstream((s, n) -> serve(s));
    }

    public int port() {
        return server.port();
    }

    /** Takes (and forgets) what was parsed since the last call. */
    public List<Seen> drain() {
        List<Seen> out = new java.util.ArrayList<>();
        Seen s;
        while ((s = seen.poll()) != null) {
            out.add(s);
        }
        return out;
    }

    public List<String> errors() {
        return errors;
    }

    private void serve(Socket s) throws IOException {
        JettyParsed.Stream parser = new JettyParsed.Stream(HttpCompliance.STRICT);
        try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (JettyParsed.Request r : parser.feed(ByteBuffer.wrap(buf, 0, n))) {
                    int k = seq.incrementAndGet();
                    seen.add(new Seen(k, r));
                    byte[] body = ("seq=" + k + " uri=" + r.uri() + " rid=" + r.first("X-Request-Id") + "\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nX-Upstream-Seq: " + k
                            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
                    System.arraycopy(body, 0, all, head.length, body.length);
                    out.write(all); // one write: no Nagle wait between head and body
                    out.flush();
                }
                if (parser.error() != null) {
                    errors.add(parser.error());
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
