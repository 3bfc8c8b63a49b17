package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LeakCheckExtension;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The denials page and its live tail, against denials the gateway itself wrote. */
@ExtendWith(LeakCheckExtension.class)
class ConsoleDenialsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static final HttpClient http = HttpClient.newHttpClient();
    static Gateway gateway;
    static int console;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        UUID acme = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id");
        UUID policy = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by,"
                + " updated_by) VALUES (?, 'no-loopback', true, 'test', 'test') RETURNING id", acme);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '127.0.0.0/8')", policy);
        UUID marked = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES (?) RETURNING id", ConsoleIT.MARKUP_ORG);
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, peer_ip, method, path, status, decision,"
                + " user_agent, request_id) VALUES (now() - interval '1 minute', ?, ?, '203.0.113.5', '10.0.0.2', 'GET', ?,"
                + " 403, 'deny', ?, 'markup-request')", UUID.randomUUID(), marked, ConsoleIT.MARKUP_PATH,
                ConsoleIT.MARKUP_AGENT);
        console = ConsoleIT.freePort();
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.console { enabled = true, port = " + console
                + " }\ngatehouse.routes = [ { prefix = \"/\", upstream = \"demo\", org = \"Acme\" } ]\n"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static RawHttp.Response page(String target) throws IOException {
        return ConsoleIT.page(console, target);
    }

    /** A denied request from loopback; its request id. */
    static String deny(String path, String userAgent) throws IOException {
        try (RawHttp c = new RawHttp(gateway.port())) {
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\nUser-Agent: " + userAgent
                    + "\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(403);
            return r.header("X-Request-Id");
        }
    }

    @Test
    void aDenialIsListedWithinFiveSecondsWithItsReasonAndRequestId() throws Exception {
        String id = deny("/reports/q3", "curl/8.0");
        long t0 = System.nanoTime();
        ConsoleIT.await(() -> {
            try {
                return page("/denials?org=Acme").body().contains(id);
            } catch (IOException e) {
                return false;
            }
        }, "the denial is listed");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
        String body = page("/denials?org=Acme&path=/reports/").body();
        assertThat(body).contains("<td class=\"mono\">127.0.0.1</td>").contains("direct from 127.0.0.1")
                .contains("denied by network policy no-loopback").contains("GET /reports/q3").contains("curl/8.0")
                .contains("href=\"/why?request-id=" + id + "&amp;org=Acme\"");
        assertThat(page("/denials?org=Acme&ip=10.9.9.0/24").body()).doesNotContain(id).contains("No denial matches");
        assertThat(page("/denials?org=Acme&path=/other").body()).doesNotContain(id);
        assertThat(page("/denials?ip=127.0.0.1").body()).as("every organisation").contains(id);
    }

    @Test
    void whyExplainsADenialByItsRequestIdNamingThePolicy() throws Exception {
        String id = deny("/why/me", "why-test");
        ConsoleIT.await(() -> {
            try {
                return page("/why?request-id=" + id).body().contains("Recorded");
            } catch (IOException e) {
                return false;
            }
        }, "the request is found by its id");
        String body = page("/why?request-id=" + id).body();
        assertThat(body).contains("id=\"verdict\">denied (403): denied by policy 'no-loopback'")
                .contains("GET /why/me").contains("why-test").contains("deny 127.0.0.0/8")
                .contains("WINS: any host, prefix /");
        assertThat(page("/why?request-id=nothing-like-it").body()).contains("No request with this id");
        assertThat(page("/why?request-id=markup-request").body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;img src=x onerror=alert(1)&gt;").contains("&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co")
                .contains("(reconstructed)");
    }

    @Test
    void markupInAPathAUserAgentAndAnOrganisationIsShownAsText() throws Exception {
        String body = page("/denials").body();
        assertThat(body).contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&lt;img src=x onerror=alert(1)&gt;")
                .contains("&lt;b&gt;Mark\"up&lt;/b&gt; &amp; Co").contains("203.0.113.5 via 10.0.0.2");
    }

    @Test
    void badFiltersSayWhich() throws Exception {
        RawHttp.Response r = ConsoleIT.request(console, "GET", "/denials?ip=10.0.0.1/8");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("ip: ").contains("10.0.0.0/8");
        assertThat(ConsoleIT.request(console, "GET", "/denials?since=90d").status()).isEqualTo(400);
        assertThat(ConsoleIT.request(console, "GET", "/denials?org=Nobody").status()).isEqualTo(404);
    }

    @Test
    void theLiveTailSendsEachDenialOnceAcrossAReconnect() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> first = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console
                + "/denials/stream?org=Acme")).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        Thread reader = new Thread(() -> first.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        String one = deny("/tail/one", "tail-test");
        long t0 = System.nanoTime();
        String lastId = null;
        String data = null;
        while (data == null || !data.contains(one)) {
            String line = lines.poll(5, TimeUnit.SECONDS);
            assertThat(line).as("an event within 5 s").isNotNull();
            if (line.startsWith("id: ")) {
                lastId = line.substring(4);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(data).contains("\"client_ip\":\"127.0.0.1\"").contains("\"reason\":\"denied by network policy no-loopback");
        first.body().close();

        String two = deny("/tail/two", "tail-test");
        // longer than SETTLE: a tail that ignored Last-Event-ID (starting SETTLE ago) would miss the second denial
        Thread.sleep(DenialTail.SETTLE.toMillis() + 2000);
        BlockingQueue<String> again = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> second = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console
                + "/denials/stream?org=Acme")).header("Last-Event-ID", lastId).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofLines());
        Thread reader2 = new Thread(() -> second.body().forEach(again::add));
        reader2.setDaemon(true);
        reader2.start();
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(two)) {
            String line = again.poll(5, TimeUnit.SECONDS);
            assertThat(line).as("the second denial after the reconnect").isNotNull();
            seen.append(line).append('\n');
        }
        assertThat(seen.toString()).as("nothing sent twice").doesNotContain(one);
        second.body().close();
    }

    @Test
    void aLastEventIdOlderThanTheWindowIsNotReadBeyondIt() throws Exception {
        // the markup row is a minute old: outside since=30s, so a cursor from 1970 must not bring it back
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console
                + "/denials/stream?since=30s")).header("Last-Event-ID", "0_00000000-0000-0000-0000-000000000000")
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> r.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(DenialTail.POLL.toMillis() * 3);
        StringBuilder seen = new StringBuilder();
        for (String line = lines.poll(); line != null; line = lines.poll()) {
            seen.append(line).append('\n');
        }
        assertThat(seen.toString()).contains(": denials").doesNotContain("markup-request");
        r.body().close();
    }
}
