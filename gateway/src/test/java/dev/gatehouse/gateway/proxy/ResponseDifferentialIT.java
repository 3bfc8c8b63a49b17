package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.RawUpstream;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's invariant on the way back: a response reaches the client framed without doubt, or not at all.
 * Seeded mutated upstream responses (framing headers, chunk syntax, status lines, line endings, folding, extra bytes,
 * interim responses) are sent by an upstream for a request; the oracle is Jetty's HTTP parser reading the same bytes
 * (its lenient mode: leniencies that leave the framing alone, as Netty's, are not disagreements).
 * For every case the client gets either a 502 (or a cut connection) or exactly the status and body the oracle read;
 * and a canary sent next — on the same client connection when it stays open — gets its own answer, never the rest of
 * a doubtful response from a reused upstream connection. {@code -Dedge.responses=N}, {@code -Dedge.seed=S}.
 */
class ResponseDifferentialIT {
    static final long SEED = Long.getLong("edge.seed", 20261128L);
    static final int CASES = Integer.getInteger("edge.responses", 1500);

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;
    static MutatingUpstream upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MutatingUpstream();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.upstream.response-timeout = 1s\n"
                        + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"));
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    /** One mutated response: its bytes, whether the upstream closes after it, what was done. */
    record Case(byte[] bytes, byte[] oracleBytes, boolean closeAfter, String description) {
    }

    static Case generate(Random r) {
        StringBuilder what = new StringBuilder();
        int[] statuses = {200, 200, 200, 201, 404, 500, 204, 304};
        int status = statuses[r.nextInt(statuses.length)];
        String version = "HTTP/1.1";
        String reason = " OK";
        byte[] body = new byte[r.nextInt(40)];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + r.nextInt(26));
        }
        List<String> headers = new ArrayList<>();
        headers.add("Server: mutating");
        int framing = r.nextInt(3); // 0 length, 1 chunked, 2 close-delimited
        List<String> chunks = new ArrayList<>();
        if (framing == 0) {
            headers.add("Content-Length: " + body.length);
        } else if (framing == 1) {
            headers.add("Transfer-Encoding: chunked");
            int off = 0;
            while (off < body.length) {
                int len = 1 + r.nextInt(body.length - off);
                chunks.add(Integer.toHexString(len) + "\r\n" + new String(body, off, len, StandardCharsets.ISO_8859_1) + "\r\n");
                off += len;
            }
            chunks.add("0\r\n\r\n");
        }
        boolean closeAfter = framing == 2;
        String tail = "";
        String lineEnd = "\r\n";
        int mutations = r.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (r.nextInt(12)) {
                case 0 -> {
                    headers.add("Content-Length: " + (body.length + r.nextInt(3)));
                    what.append("another Content-Length; ");
                }
                case 1 -> {
                    headers.add("Transfer-Encoding: " + new String[] {"chunked", "gzip, chunked", "chunked, identity",
                            "identity", "xchunked"}[r.nextInt(5)]);
                    what.append("another Transfer-Encoding; ");
                }
                case 2 -> {
                    if (!chunks.isEmpty()) {
                        int i = r.nextInt(chunks.size());
                        String c = chunks.get(i);
                        chunks.set(i, new String[] {"zz", "-1", "+1", " 1", "1 ;x"}[r.nextInt(5)] + c.substring(c.indexOf('\r')));
                        what.append("bad chunk size; ");
                    }
                }
                case 3 -> {
                    version = new String[] {"HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1"}[r.nextInt(5)];
                    what.append("version ").append(version).append("; ");
                }
                case 4 -> {
                    reason = new String[] {"", " ", " Fine Thanks", "\tOK"}[r.nextInt(4)];
                    what.append("reason '").append(reason).append("'; ");
                }
                case 5 -> {
                    lineEnd = "\n";
                    what.append("LF line ends; ");
                }
                case 6 -> {
                    headers.add("X-Folded: a\r\n b");
                    what.append("obs-fold; ");
                }
                case 7 -> {
                    tail = new String[] {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!", "garbage", "\r\n"}[r.nextInt(3)];
                    what.append("bytes after the response; ");
                }
                case 8 -> {
                    headers.add(new String[] {"Connection: close", "Connection: keep-alive", "Connection: Content-Length",
                            "Connection: Transfer-Encoding"}[r.nextInt(4)]);
                    what.append("a Connection header; ");
                }
                case 9 -> {
                    headers.add("Bad Name: x");
                    what.append("a header name with a space; ");
                }
                case 10 -> {
                    headers.removeIf(h -> h.startsWith("Content-Length"));
                    headers.add("Content-Length: " + new String[] {"+" + body.length, "-1", body.length + ", " + body.length,
                            "0x" + body.length}[r.nextInt(4)]);
                    what.append("odd Content-Length; ");
                }
                default -> {
                    what.append("100 Continue first; ");
                    headers.add(0, "X-Interim: 1");
                }
            }
        }
        return new Case(render(headers, version, status, reason, lineEnd, framing, chunks, body, tail, false),
                render(headers, version, status, reason, lineEnd, framing, chunks, body, tail, true), closeAfter,
                what.toString());
    }

    /**
     * The response's bytes; {@code forOracle}: with the leniencies the gateway shares with Netty and that leave the
     * framing alone made explicit — a tab before the reason phrase read as a space, a header whose name holds a space
     * (not a framing header's) left out — so that the oracle judges the framing, not those.
     */
    private static byte[] render(List<String> headers, String version, int status, String reason, String lineEnd,
                                 int framing, List<String> chunks, byte[] body, String tail, boolean forOracle) {
        StringBuilder sb = new StringBuilder();
        if (headers.contains("X-Interim: 1")) {
            sb.append("HTTP/1.1 100 Continue\r\n\r\n");
        }
        sb.append(version).append(' ').append(status).append(forOracle ? reason.replace('\t', ' ') : reason).append(lineEnd);
        for (String h : headers) {
            if (!(forOracle && h.startsWith("Bad Name"))) {
                sb.append(h).append(lineEnd);
            }
        }
        sb.append(lineEnd);
        if (framing == 1) {
            chunks.forEach(sb::append);
        } else {
            sb.append(new String(body, StandardCharsets.ISO_8859_1));
        }
        sb.append(tail);
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What Jetty reads from the bytes as the response to a GET: status and body, or null when it refuses them. */
    static String[] oracle(Case c) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        AtomicReference<String> status = new AtomicReference<>();
        AtomicReference<String> error = new AtomicReference<>();
        boolean[] complete = {false};
        HttpParser.ResponseHandler h = new HttpParser.ResponseHandler() {
            @Override
            public void startResponse(HttpVersion v, int s, String reason) {
                status.set(String.valueOf(s));
                body.reset();
            }

            @Override
            public boolean content(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                body.writeBytes(b);
                return false;
            }

            @Override
            public boolean headerComplete() {
                return false;
            }

            @Override
            public boolean contentComplete() {
                return false;
            }

            @Override
            public boolean messageComplete() {
                if (!status.get().startsWith("1")) {
                    complete[0] = true;
                }
                return true;
            }

            @Override
            public void parsedHeader(HttpField field) {
            }

            @Override
            public void earlyEOF() {
                error.set("early EOF");
            }

            @Override
            public void badMessage(HttpException failure) {
                error.set(failure.getReason());
            }
        };
        // lenient on what does not touch framing (a tab in the status line, a space in a header name, folding), as
        // Netty is; strict on framing (Jetty refuses Content-Length with chunked, two lengths, bad chunks in any mode)
        HttpParser p = new HttpParser(h, 64 * 1024, HttpCompliance.LEGACY);
        ByteBuffer buf = ByteBuffer.wrap(c.oracleBytes());
        while (buf.hasRemaining() && !complete[0] && error.get() == null) {
            int before = buf.remaining();
            p.parseNext(buf);
            if (p.isComplete() && !complete[0]) {
                p.reset(); // an interim response: the final one follows
            } else if (buf.remaining() == before && !p.isComplete()) {
                break;
            }
        }
        if (!complete[0] && error.get() == null && c.closeAfter()) {
            p.atEOF();
            p.parseNext(ByteBuffer.allocate(0));
        }
        if (!complete[0] || error.get() != null) {
            return null;
        }
        return new String[] {status.get(), body.toString(StandardCharsets.ISO_8859_1)};
    }

    @Test
    void aResponseReachesTheClientFramedWithoutDoubtOrNotAtAll() throws Exception {
        Random r = new Random(SEED);
        List<String> disagreements = new ArrayList<>();
        int relayed = 0;
        int refused = 0;
        for (int i = 0; i < CASES && disagreements.size() < 10; i++) {
            Case c = generate(r);
            upstream.next = c;
            String[] want = oracle(c);
            String problem = null;
            RawHttp.Response got = null;
            boolean open = true;
            try (RawHttp client = new RawHttp(gateway.port())) {
                client.timeout(3000);
                client.send("GET /case-" + i + " HTTP/1.1\r\nHost: t\r\n\r\n");
                try {
                    got = client.read();
                    while (got.status() / 100 == 1) { // interim responses (100 Continue) come before the final one
                        got = null;
                        got = client.read();
                    }
                } catch (IOException cut) {
                    got = null;
                    open = false; // cut: the client knows the response is not whole
                }
                if (got != null && got.status() != 502) {
                    if (want == null) {
                        problem = "relayed " + got.status() + " '" + got.body() + "' where the oracle refuses the response";
                    } else if (!want[0].equals(String.valueOf(got.status())) || !want[1].equals(got.body())) {
                        problem = "relayed " + got.status() + " '" + got.body() + "', the oracle reads " + want[0] + " '"
                                + want[1] + "'";
                    }
                    relayed++;
                } else {
                    refused++;
                }
                if (problem == null) {
                    problem = canary(open && got != null && !"close".equalsIgnoreCase(got.header("connection")) ? client : null, i);
                }
            } catch (IOException e) {
                problem = "the client connection failed: " + e;
            }
            if (problem != null) {
                disagreements.add("case " + i + " (seed " + SEED + ") [" + c.description() + "] "
                        + EdgeDifferentialIT.printable(c.bytes()) + ": " + problem);
            }
        }
        assertThat(disagreements).as("disagreements").isEmpty();
        assertThat(relayed).as("responses relayed").isGreaterThan(CASES / 4);
        assertThat(refused).as("responses refused").isGreaterThan(CASES / 20);
        System.out.printf("response differential: %d cases, seed %d: %d relayed, %d refused (502 or cut), 0 disagreements%n",
                CASES, SEED, relayed, refused);
    }

    /**
     * The next request (on the same connection, or a new one) gets its own response — never another's, never a 502
     * because a doubtful upstream connection was reused (stray bytes after a response, even without a line end, keep
     * a connection out of the pool: {@code UpstreamCodec}).
     */
    private static String canary(RawHttp sameConnection, int i) throws IOException {
        upstream.next = null;
        String path = "/canary-" + i;
        RawHttp.Response r;
        if (sameConnection != null) {
            try {
                r = sameConnection.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
            } catch (IOException closedMeanwhile) {
                r = null;
            }
            if (r != null) {
                return r.status() == 200 && r.body().equals("canary " + path) ? null
                        : "the canary got " + r.status() + " '" + r.body() + "'";
            }
        }
        try (RawHttp fresh = new RawHttp(gateway.port())) {
            r = fresh.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
        }
        return r.status() == 200 && r.body().equals("canary " + path) ? null
                : "the canary (new connection) got " + r.status() + " '" + r.body() + "'";
    }

    /** Answers /case-N with the current case's bytes, anything else with "canary PATH"; keeps connections alive. */
    static final class MutatingUpstream implements AutoCloseable {
        private final RawUpstream server;
        volatile Case next;

        MutatingUpstream() throws IOException {
            server = new RawUpstream((s, n) -> serve(s));
        }

        private void serve(Socket s) throws IOException {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String head;
            while ((head = ScriptedUpstream.readHead(in)).endsWith("\r\n\r\n")) {
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                Case c = next;
                if (path.startsWith("/case-") && c != null) {
                    out.write(c.bytes());
                    out.flush();
                    if (c.closeAfter()) {
                        return;
                    }
                } else {
                    String body = "canary " + path;
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.ISO_8859_1)); // one write: no Nagle wait
                    out.flush();
                }
            }
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
