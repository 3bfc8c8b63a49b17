package dev.gatehouse.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.gateway.testing.Json;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every answer the gateway gives itself, rendered: each template fed markup in every value it takes escapes it for
 * where it stands, every HTML answer carries the security headers, every JSON answer parses and names its request.
 */
class LocalAnswerTest {
    static final String IMG = "<img src=x onerror=alert(1)>";
    static final String BREAK = "\"'><script>alert(1)</script>";
    static final String JS = "javascript:alert(1)";
    static final String ESCAPED = "&lt;b&gt;";
    static final List<String> PAYLOADS = List.of(IMG, BREAK, JS, ESCAPED);
    /** What a payload becomes in element text. */
    static final List<String> AS_TEXT = List.of("&lt;img src=x onerror=alert(1)&gt;",
            "\"'&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "javascript:alert(1)", "&amp;lt;b&amp;gt;");
    static final Map.Entry<String, String> COOKIE = Map.entry("Set-Cookie", "a=; Path=/; Max-Age=0");

    record Rendered(FullHttpResponse head, String body) {
        HttpHeaders headers() {
            return head.headers();
        }
    }

    static Rendered render(LocalAnswer a, String requestId, boolean keepAlive) {
        FullHttpResponse r = a.response(UnpooledByteBufAllocator.DEFAULT, requestId, keepAlive);
        try {
            assertThat(r.headers().getInt("Content-Length")).isEqualTo(r.content().readableBytes());
            return new Rendered(r, r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
            assertThat(r.refCnt()).isZero();
        }
    }

    /** Each page, with {@code value} in every parameter a caller gives it. */
    static List<LocalAnswer> pages(String value) {
        return List.of(
                LocalAnswer.page(HttpResponseStatus.FORBIDDEN, value, "r", List.of(COOKIE), value, "and " + value),
                LocalAnswer.page(HttpResponseStatus.OK, value, "r", List.of(), value),
                LocalAnswer.form(HttpResponseStatus.OK, value, "/.gatehouse/logout?x=" + value, value, "r", List.of(), value),
                LocalAnswer.chooser(value, List.of(value, "okta"), value, "r"));
    }

    /** The tags of a document, by name, in order: an injected element or a broken-out attribute changes them. */
    static List<String> tags(String html) {
        List<String> tags = new ArrayList<>();
        Matcher m = Pattern.compile("<(/?[a-zA-Z!][a-zA-Z0-9]*)").matcher(html);
        while (m.find()) {
            tags.add(m.group(1));
        }
        return tags;
    }

    @Test
    void everyTemplateEscapesMarkupInEveryValue() {
        List<LocalAnswer> plain = pages("plain");
        for (String payload : PAYLOADS) {
            List<LocalAnswer> hostile = pages(payload);
            for (int i = 0; i < hostile.size(); i++) {
                String body = render(hostile.get(i), payload, true).body();
                assertThat(body).as("page %d with %s", i, payload)
                        .doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase("<script")
                        .doesNotContain("\"'>").doesNotContain("href=\"javascript:").doesNotContain("action=\"javascript:");
                assertThat(tags(body)).as("the same elements as with plain text (page %d, %s)", i, payload)
                        .isEqualTo(tags(render(plain.get(i), "plain", true).body()));
            }
        }
        String message = render(LocalAnswer.page(HttpResponseStatus.BAD_REQUEST, "T", "r", List.of(), PAYLOADS.toArray(String[]::new)),
                "id", true).body();
        for (String escaped : AS_TEXT) {
            assertThat(message).as("shown as the text it is").contains("<p>" + escaped + "</p>");
        }
    }

    @Test
    void aQuoteCannotLeaveAnAttribute() {
        String form = render(LocalAnswer.form(HttpResponseStatus.OK, "t", "/out" + BREAK, "b", "r", List.of()), "id", true).body();
        assertThat(form).contains("action=\"/out&#34;&#39;>&lt;script>alert(1)&lt;/script>\"");
        String chooser = render(LocalAnswer.chooser("Acme & Co", List.of(BREAK, JS), "/app?a=1&b=" + IMG, "r"), "id", true).body();
        assertThat(chooser)
                .as("query values URL-encoded, the attribute's & escaped")
                .contains("href=\"/.gatehouse/login?org=Acme+%26+Co&amp;provider=%22%27%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
                        + "&amp;rd=%2Fapp%3Fa%3D1%26b%3D%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E\"")
                .contains("provider=javascript%3Aalert%281%29")
                .contains(">javascript:alert(1)</a>")
                .contains("Sign in to Acme &amp; Co with:");
    }

    @Test
    void theNetworkPolicyPageNamesTheIpAndTheRequest() {
        Rendered r = render(LocalAnswer.denied(Denial.POLICY, IpAddress.parse("192.0.2.44"), "text/html,*/*"), IMG, false);
        assertThat(r.head().status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(r.body()).contains("<title>Access blocked</title>").contains("<h1>Access from your network is blocked</h1>")
                .contains("does not allow requests from <strong>192.0.2.44</strong>, the address this request came from.")
                .contains("Request id: &lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img");
        securityHeaders(r, IMG);
        assertThat(r.headers().get("Connection")).isEqualTo("close");
        assertThat(r.headers().contains("WWW-Authenticate")).isFalse();
    }

    @Test
    void everyHtmlAnswerHasTheSecurityHeaders() {
        List<LocalAnswer> html = new ArrayList<>(pages("plain"));
        html.add(LocalAnswer.denied(Denial.POLICY, null, "text/html"));
        for (LocalAnswer a : html) {
            Rendered r = render(a, "0123456789abcdef", true);
            securityHeaders(r, "0123456789abcdef");
            assertThat(r.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.headers().contains("Connection")).as("kept alive").isFalse();
            assertThat(r.body()).as("no script, nothing loaded from elsewhere").startsWith("<!doctype html>")
                    .contains("<meta charset=\"utf-8\">").doesNotContain("<script").doesNotContain("src=").doesNotContain("<link")
                    .doesNotContain("<iframe");
        }
        assertThat(render(pages("x").get(0), "id", true).headers().getAll("Set-Cookie")).containsExactly(COOKIE.getValue());
    }

    static void securityHeaders(Rendered r, String requestId) {
        HttpHeaders h = r.headers();
        assertThat(h.get("Content-Security-Policy")).isEqualTo("default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
                + " form-action 'self'; frame-ancestors 'none'");
        assertThat(h.get("Referrer-Policy")).isEqualTo("no-referrer");
        commonHeaders(r, requestId);
    }

    static void commonHeaders(Rendered r, String requestId) {
        HttpHeaders h = r.headers();
        assertThat(h.get("Cache-Control")).isEqualTo("no-store");
        assertThat(h.get("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(h.get("X-Request-Id")).isEqualTo(requestId);
        assertThat(h.get("Content-Type")).isNotNull();
        assertThat(h.getInt("Content-Length")).isNotNull();
    }

    @Test
    void everyJsonAnswerParsesAndNamesItsRequest() {
        List<LocalAnswer> json = List.of(
                LocalAnswer.error(HttpResponseStatus.NOT_FOUND, "no route " + BREAK, "no_route"),
                LocalAnswer.denied(Denial.POLICY, IpAddress.parse("2001:db8::1"), "application/json"),
                LocalAnswer.denied(Denial.POLICY, IpAddress.parse("192.0.2.1"), null),
                LocalAnswer.denied(Denial.unauthorized("unknown API token", "token_unknown"), null, "text/html"),
                LocalAnswer.denied(Denial.unavailable("not yet", "policies_not_loaded"), null, null),
                new InvalidRequest(InvalidRequest.Kind.HTTP_VERSION, IMG + " is not supported").answer());
        for (LocalAnswer a : json) {
            Rendered r = render(a, "0123456789abcdef", false);
            commonHeaders(r, "0123456789abcdef");
            assertThat(r.headers().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
            assertThat(r.headers().contains("Content-Security-Policy")).isFalse();
            assertThat(r.headers().get("Connection")).isEqualTo("close");
            JsonNode body = Json.parse(r.body());
            assertThat(body.get("request_id").asText()).isEqualTo("0123456789abcdef");
            assertThat(body.get("status").asInt()).isEqualTo(r.head().status().code()).isEqualTo(a.status().code());
            assertThat(body.get("error").asText()).isNotBlank();
        }
        JsonNode policy = Json.parse(render(json.get(1), "id", true).body());
        assertThat(Json.flat(policy.toString())).containsOnlyKeys("error", "client_ip", "status", "request_id")
                .containsEntry("client_ip", "2001:db8::1")
                .containsEntry("error", "access from this IP address is blocked by your organisation's network access policy");
        assertThat(Json.parse(render(json.get(0), "id", true).body()).get("error").asText()).isEqualTo("no route " + BREAK);
        assertThat(render(json.get(3), "id", true).headers().get("WWW-Authenticate")).as("a 401, even for a browser")
                .isEqualTo("Bearer");
        assertThat(Json.flat(render(json.get(3), "id", true).body())).containsOnlyKeys("error", "status", "request_id");
        assertThat(render(json.get(5), "id", true).head().status().code()).isEqualTo(505);
    }

    @Test
    void aRedirectAndThePublishedKeys() {
        Rendered redirect = render(LocalAnswer.redirect("/.gatehouse/login?org=Acme", "sso_required", List.of(COOKIE)), "id", true);
        assertThat(redirect.head().status()).isEqualTo(HttpResponseStatus.FOUND);
        assertThat(redirect.headers().get("Location")).isEqualTo("/.gatehouse/login?org=Acme");
        assertThat(redirect.headers().getAll("Set-Cookie")).containsExactly(COOKIE.getValue());
        assertThat(redirect.body()).isEmpty();
        commonHeaders(redirect, "id");

        Rendered keys = render(LocalAnswer.jsonDocument("{\"keys\":[]}", "sso_jwks"), "id", true);
        commonHeaders(keys, "id");
        assertThat(keys.headers().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(Json.parse(keys.body()).get("keys").isArray()).as("the JWK Set as it is").isTrue();
    }

    @Test
    void aFormPostsOnlyToAPathOfThisSite() {
        for (String action : List.of(JS, "//evil.example/x", "https://evil.example/", "/\\evil.example", "logout")) {
            assertThatThrownBy(() -> LocalAnswer.form(HttpResponseStatus.OK, "t", action, "b", "r", List.of()))
                    .as(action).isInstanceOf(IllegalArgumentException.class);
        }
        String form = render(LocalAnswer.form(HttpResponseStatus.OK, "Sign out?", "/.gatehouse/logout", "Sign out", "r",
                List.of(), "You will be signed out of this site."), "id", true).body();
        assertThat(form).contains("<form method=\"post\" action=\"/.gatehouse/logout\">")
                .contains("<button type=\"submit\">Sign out</button>").contains("<p>You will be signed out of this site.</p>");
    }

    @Test
    void anErrorPageNamesTheRequestAndAnOrdinaryPageDoesNot() {
        assertThat(render(LocalAnswer.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Busy", "r", List.of(), "Later."),
                "0123456789abcdef", true).body()).contains("Request id: 0123456789abcdef");
        assertThat(render(LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "r", List.of(), "Done."),
                "0123456789abcdef", true).body()).doesNotContain("0123456789abcdef").contains("<title>Signed out</title>");
    }

    /** jte's {@code $unsafe{...}} writes a value unescaped: no template may use it. */
    @Test
    void noTemplateWritesAValueUnescaped() throws IOException {
        Path templates = Path.of("src/main/jte");
        List<Path> files;
        try (Stream<Path> s = Files.walk(templates)) {
            files = s.filter(p -> p.toString().endsWith(".jte")).toList();
        }
        assertThat(files).as("the templates, from the module's directory").hasSizeGreaterThanOrEqualTo(5);
        for (Path f : files) {
            assertThat(Files.readString(f)).as(f.toString()).doesNotContain("$unsafe");
        }
    }
}
