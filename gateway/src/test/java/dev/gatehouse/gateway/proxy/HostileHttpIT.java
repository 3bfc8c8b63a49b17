package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded, seeded fuzz run of malformed HTTP: bad request lines, invalid header bytes, duplicate
 * Content-Length, Content-Length with Transfer-Encoding, obs-fold, overlong headers, bad chunk sizes,
 * NUL bytes. Each is answered 400/413/414/431/501/505 (or passed on when it is valid after all) or
 * the connection is closed — never a 5xx of the gateway's own, never an ambiguous request upstream,
 * never a leak (the class fails on one), and the gateway keeps serving.
 */
class HostileHttpIT {
    static final long SEED = 20261125L;
    static final Set<Integer> ANSWERS = Set.of(200, 400, 404, 413, 414, 431, 501, 505);

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;
    static TestUpstream upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.server { request-header-timeout = 2s, client-idle-timeout = 2s }\n"
                        + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port()
                        + "\", max-body-size = 64k } ]\n"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    static final String[] TEMPLATES = {
            "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
            "GET /\r\nHost: t\r\n\r\n",
            "G\u0000T / HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /a\u0000b HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u0000b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n  b\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 6\r\n\r\nhello!",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\nx",
            "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
            "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "\r\n\r\n\r\n",
            "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
    };

    /** A template, sometimes with a random byte replaced or inserted. */
    static byte[] sample(Random r, int i) {
        byte[] base = TEMPLATES[i % TEMPLATES.length].getBytes(StandardCharsets.ISO_8859_1);
        if (i < TEMPLATES.length || base.length < 2) {
            return base; // every template once as written
        }
        byte[] b = base.clone();
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = r.nextInt(Math.min(b.length, 200));
            b[at] = (byte) switch (r.nextInt(5)) {
                case 0 -> 0;
                case 1 -> '\r';
                case 2 -> '\n';
                case 3 -> ' ';
                default -> r.nextInt(256);
            };
        }
        return b;
    }

    @Test
    void malformedRequestsAreRefusedNeverForwardedAmbiguously() throws Exception {
        Random r = new Random(SEED);
        List<String> unexpected = new ArrayList<>();
        int answered = 0;
        int closed = 0;
        for (int i = 0; i < 260; i++) {
            byte[] input = sample(r, i);
            try (RawHttp c = new RawHttp(gateway.port())) {
                c.send(input);
                RawHttp.Response resp = c.read();
                answered++;
                if (!ANSWERS.contains(resp.status())) {
                    unexpected.add(resp.status() + " for case " + i + ": " + printable(input));
                }
            } catch (IOException e) {
                closed++; // the connection closed (or timed out) without a response: acceptable
            }
        }
        System.out.printf("hostile HTTP: %d inputs (seed %d): %d answered, %d closed%n", 260, SEED, answered, closed);
        assertThat(unexpected).isEmpty();

        // what did reach the upstream was unambiguous: never two lengths, never a length with chunking. (A
        // request after a chunked body is a pipelined request of its own: the gateway re-frames every
        // request it forwards, so the upstream parses exactly what the gateway parsed.)
        TestUpstream.Received got;
        while (!upstream.nothingReceived()) {
            got = upstream.take();
            assertThat(got.all("Content-Length").size()).isLessThanOrEqualTo(1);
            assertThat(got.header("Content-Length") != null && got.header("Transfer-Encoding") != null)
                    .as("Content-Length and Transfer-Encoding together upstream").isFalse();
        }
        try (RawHttp c = new RawHttp(gateway.port())) {
            assertThat(c.send("GET /still-serving HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 120); i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
