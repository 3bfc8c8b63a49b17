package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.JettyParsed;
import dev.gatehouse.gateway.testing.JettyUpstream;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpCompliance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's invariant, held by a differential test: <b>the upstream parses exactly what the gateway parsed</b>.
 *
 * <p>Seeded generated requests ({@link EdgeCaseGenerator}) go through a running gateway to an upstream that parses
 * with Jetty's HTTP parser in strict mode ({@link JettyUpstream}: not Netty's). The oracle is Jetty's reading of the
 * bytes the client sent (RFC 9110 rules, obs-fold allowed, as the gateway documents). For every case: either the
 * gateway refused it (4xx/501/505, and nothing of it reached the upstream), or each request the upstream parsed is
 * the request the oracle parsed at that place (method, target, body bytes), carries only headers the gateway may let
 * through (one Host, the gateway's X-Real-IP and X-Request-Id, no client-address or identity header from the client,
 * no trailer), and is matched one to one by a response the client received; a canary request sent next on the same
 * connection gets its own response. Nothing the upstream receives may fail a strict parse.
 *
 * <p>{@code -Dedge.cases=N} runs more cases (default 3000), {@code -Dedge.seed=S} another seed; the seed is in every
 * failure message.
 */
class EdgeDifferentialIT {
    static final long SEED = Long.getLong("edge.seed", 20261128L);
    static final int CASES = Integer.getInteger("edge.cases", 3000);
    static final Set<Integer> REFUSALS = Set.of(400, 413, 414, 431, 501, 505);
    static final HttpCompliance ORACLE = HttpCompliance.from("RFC9110,MULTILINE_FIELD_VALUE");
    static final List<String> NEVER_FROM_CLIENT = List.of("x-client-ip", "true-client-ip", "cf-connecting-ip",
            "x-forwarded-port", "x-cluster-client-ip", "fastly-client-ip", "x-original-forwarded-for",
            "x-forwarded-server", "x-gatehouse-org", "x-gatehouse-app", "x-gatehouse-account", "forwarded",
            "x_forwarded_for", "x_real_ip", "x-forwarded-prefix");

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;
    static JettyUpstream upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new JettyUpstream();
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.server { request-header-timeout = 2s, client-idle-timeout = 2s }\n"
                        + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port()
                        + "\" } ]\n"));
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    @Test
    void theUpstreamParsesExactlyWhatTheGatewayParsed() throws Exception {
        EdgeCaseGenerator generator = new EdgeCaseGenerator(SEED);
        List<String> disagreements = new ArrayList<>();
        int refused = 0;
        int forwarded = 0;
        int upstreamTotal = 0;
        int answeredTotal = 0;
        for (int i = 0; i < CASES && disagreements.size() < 10; i++) {
            EdgeCaseGenerator.Case c = generator.next();
            Outcome o = run(c, i);
            upstreamTotal += o.upstreamSeen;
            answeredTotal += o.upstreamAnswered;
            if (o.problem != null) {
                disagreements.add("case " + i + " (seed " + SEED + ") [" + c.description() + "] "
                        + printable(c.bytes()) + ": " + o.problem);
            }
            refused += o.refused ? 1 : 0;
            forwarded += o.upstreamSeen;
        }
        Thread.sleep(200);
        int late = upstream.drain().size();
        assertThat(disagreements).as("disagreements").isEmpty();
        assertThat(late).as("requests the upstream parsed after their case was over (smuggled)").isZero();
        assertThat(upstream.errors()).as("messages from the gateway that a strict parser refused").isEmpty();
        assertThat(upstreamTotal).as("every request the upstream parsed was answered to a client").isEqualTo(answeredTotal);
        // the generator must exercise both sides of the edge, or the test proves nothing
        assertThat(refused).as("cases refused").isGreaterThan(CASES / 10);
        assertThat(forwarded).as("requests forwarded").isGreaterThan(CASES / 3);
        System.out.printf("edge differential: %d cases, seed %d: %d refused, %d requests forwarded, 0 disagreements%n",
                CASES, SEED, refused, forwarded);
    }

    record Outcome(String problem, boolean refused, int upstreamSeen, int upstreamAnswered) {
    }

    private Outcome run(EdgeCaseGenerator.Case c, int i) throws Exception {
        String canaryPath = "/canary-" + i;
        byte[] canary = ("GET " + canaryPath + " HTTP/1.1\r\nHost: c.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] sent = new byte[c.bytes().length + canary.length];
        System.arraycopy(c.bytes(), 0, sent, 0, c.bytes().length);
        System.arraycopy(canary, 0, sent, c.bytes().length, canary.length);
        // the oracle reads all that was sent, the canary included: a case that declares more body than it has
        // takes the canary's first bytes as its body, in every parser
        byte[] forOracle = new byte[c.oracleBytes().length + canary.length];
        System.arraycopy(c.oracleBytes(), 0, forOracle, 0, c.oracleBytes().length);
        System.arraycopy(canary, 0, forOracle, c.oracleBytes().length, canary.length);
        JettyParsed.Result oracle = JettyParsed.parseAll(forOracle, ORACLE);
        List<RawHttp.Response> responses = new ArrayList<>();
        try (RawHttp client = new RawHttp(gateway.port())) {
            // a case that declares more body than it sends leaves the gateway waiting: a short wait ends it
            client.timeout(300).send(sent);
            while (true) {
                RawHttp.Response r;
                try {
                    r = client.read();
                } catch (IOException closed) {
                    break;
                }
                responses.add(r);
                if (r.body().contains("uri=" + canaryPath + " ")) {
                    break;
                }
            }
        } catch (IOException e) {
            // refused before all was sent: the connection was closed on us
        }
        List<JettyUpstream.Seen> seen = upstream.drain();
        List<RawHttp.Response> fromUpstream = new ArrayList<>();
        boolean refused = false;
        for (RawHttp.Response r : responses) {
            if (r.header("x-upstream-seq") != null) {
                fromUpstream.add(r);
            } else if (REFUSALS.contains(r.status())) {
                refused = true;
            } else {
                return new Outcome("the gateway answered " + r.status() + " " + r.body().strip(), refused, seen.size(),
                        fromUpstream.size());
            }
        }
        if (seen.size() != fromUpstream.size()) {
            return new Outcome("the upstream parsed " + seen.size() + " requests, the client got " + fromUpstream.size()
                    + " answers from it", refused, seen.size(), fromUpstream.size());
        }
        if (seen.size() > oracle.requests().size()) {
            return new Outcome("the gateway forwarded " + seen.size() + " requests where a strict parser reads "
                    + oracle.requests().size() + " (" + oracle.error() + ")", refused, seen.size(), fromUpstream.size());
        }
        for (int k = 0; k < seen.size(); k++) {
            JettyParsed.Request got = seen.get(k).request();
            JettyParsed.Request want = oracle.requests().get(k);
            String problem = compare(want, got);
            if (problem == null && !fromUpstream.get(k).body().contains("seq=" + seen.get(k).seq() + " ")) {
                problem = "answered with another request's response: " + fromUpstream.get(k).body();
            }
            if (problem != null) {
                return new Outcome("request " + k + ": " + problem, refused, seen.size(), fromUpstream.size());
            }
        }
        boolean canaryParsed = !oracle.requests().isEmpty()
                && oracle.requests().get(oracle.requests().size() - 1).uri().equals(canaryPath);
        boolean keptOpen = canaryParsed && seen.size() >= oracle.requests().size() - 1 && !refused
                && oracle.requests().stream().limit(oracle.requests().size() - 1L).noneMatch(EdgeDifferentialIT::closes);
        boolean canaryAnswered = !fromUpstream.isEmpty()
                && fromUpstream.get(fromUpstream.size() - 1).body().contains("uri=" + canaryPath + " ");
        if (keptOpen && !canaryAnswered) {
            return new Outcome("every request was served and the connection kept, but the canary got no answer of its own"
                    + " (responses: " + responses.stream().map(RawHttp.Response::status).toList() + ")", refused,
                    seen.size(), fromUpstream.size());
        }
        return new Outcome(null, refused && seen.isEmpty(), seen.size(), fromUpstream.size());
    }

    /** Whether the request asks for the connection to close (or is HTTP/1.0 without keep-alive). */
    private static boolean closes(JettyParsed.Request r) {
        String connection = String.join(",", r.all("Connection")).toLowerCase(Locale.ROOT);
        boolean http10 = r.version().equals("HTTP/1.0");
        return Arrays.stream(connection.split(",")).map(String::strip).anyMatch("close"::equals)
                || http10 && Arrays.stream(connection.split(",")).map(String::strip).noneMatch("keep-alive"::equals);
    }

    /** Null when the upstream got what the oracle read, with only the headers it may see. */
    private static String compare(JettyParsed.Request want, JettyParsed.Request got) {
        if (!want.method().equals(got.method())) {
            return "method " + got.method() + ", the client sent " + want.method();
        }
        String wantTarget = originForm(want.uri());
        if (!wantTarget.equals(got.uri())) {
            return "target " + got.uri() + ", the client sent " + want.uri();
        }
        if (!Arrays.equals(want.body(), got.body())) {
            return "body '" + printable(got.body()) + "', the client sent '" + printable(want.body()) + "'";
        }
        if (got.all("Host").size() != 1) {
            return "Host " + got.all("Host");
        }
        if (!got.all("X-Real-IP").equals(List.of("127.0.0.1"))) {
            return "X-Real-IP " + got.all("X-Real-IP");
        }
        if (!got.all("X-Forwarded-For").equals(List.of("127.0.0.1"))) {
            return "X-Forwarded-For " + got.all("X-Forwarded-For");
        }
        if (got.all("X-Request-Id").size() != 1 || got.first("X-Request-Id").equals(want.first("X-Request-Id"))) {
            return "X-Request-Id " + got.all("X-Request-Id");
        }
        boolean websocket = got.method().equals("GET") && want.version().equals("HTTP/1.1")
                && "websocket".equalsIgnoreCase(want.first("Upgrade"));
        if (!got.all("Upgrade").isEmpty() && !websocket) {
            return "Upgrade " + got.all("Upgrade") + " reached the upstream (only a GET's websocket may)";
        }
        for (String[] h : got.headers()) {
            if (NEVER_FROM_CLIENT.contains(h[0].toLowerCase(Locale.ROOT))) {
                return "the client's " + h[0] + ": " + h[1] + " reached the upstream";
            }
        }
        if (!got.trailers().isEmpty()) {
            return "trailers reached the upstream: " + got.trailers().stream().map(t -> t[0]).toList();
        }
        return null;
    }

    /** An absolute-form target as origin-form (RFC 9112 §3.2.2), as the upstream must receive it. */
    static String originForm(String uri) {
        int scheme = uri.indexOf("://");
        if (uri.startsWith("/") || scheme < 0) {
            return uri;
        }
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String rest = uri.substring(end);
        return rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
    }

    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            sb.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c > 0x7e ? String.format("\\x%02x", c) : String.valueOf((char) c));
        }
        return sb.length() > 600 ? sb.substring(0, 600) + "..." : sb.toString();
    }
}
