package dev.gatehouse.gateway.request;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.util.Json;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A response the gateway gives itself, and the one place such a response is written: the errors (400, 404, 405, 413,
 * 414, 431, 501, 502, 503, 504), the denials (401, 403, 503), the sign-in redirects and pages, the network-policy
 * page, the provider chooser, the published keys. Made where the decision is taken, rendered only by
 * {@link #response} when it is sent: the proxied path never renders anything.
 *
 * <p><b>Callers pass text, never markup.</b> HTML comes only from the templates in {@code src/main/jte} — jte, with
 * the HTML content type, compiled to Java classes at build time: every value is a typed template parameter written
 * with {@code ${...}}, which escapes it for where it stands (element text, attribute), and no template writes a value
 * unescaped ({@code LocalAnswerTest} fails on one that does). JSON comes from the one writer, {@link Json}, and
 * every JSON body names the request ({@code request_id}), but the published JWK Set, a standard document.
 *
 * <p>The head is built here for every answer: {@code Content-Type}, {@code Content-Length},
 * {@code Cache-Control: no-store}, {@code X-Content-Type-Options: nosniff}, {@code X-Request-Id}, and
 * {@code Connection: close} when the connection is not kept; HTML answers add a {@code Content-Security-Policy} that
 * allows no script, no external resource and no framing, and {@code Referrer-Policy: no-referrer} — the pages are
 * served on every host the gateway serves, so they must be harmless on each app's origin.
 */
public final class LocalAnswer {
    private static final Logger log = LoggerFactory.getLogger(LocalAnswer.class);

    private static final AsciiString CONTENT_TYPE_OPTIONS = AsciiString.cached("X-Content-Type-Options");
    private static final AsciiString REFERRER_POLICY = AsciiString.cached("Referrer-Policy");
    private static final AsciiString REQUEST_ID = AsciiString.cached("X-Request-Id");
    /** Styles inline in the page; no script, image, font, frame or connection; forms post to this origin only. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
            + " form-action 'self'; frame-ancestors 'none'";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JSON = HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    /** The templates, compiled at build time into this package's {@code pages}; loaded once, never compiled here. */
    private static final TemplateEngine PAGES = precompiled();

    private final HttpResponseStatus status;
    private final String reason;
    private final List<Map.Entry<String, String>> headers;
    private final Body body;

    /** What the body is made of; turned into bytes only by {@link #response}. */
    private sealed interface Body permits Empty, JsonError, JsonDocument, Page {
    }

    private record Empty() implements Body {
    }

    /** {@code {"error": ..., ["client_ip": ...,] "status": ..., "request_id": ...}}. */
    private record JsonError(String error, String clientIp) implements Body {
    }

    private record JsonDocument(String json) implements Body {
    }

    /** A template and its parameters; {@code requestId} is added when sent, if the page names the request. */
    private record Page(String template, Map<String, Object> params, boolean namesRequest) implements Body {
    }

    private LocalAnswer(HttpResponseStatus status, String reason, List<Map.Entry<String, String>> headers, Body body) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
    }

    // ---- what callers make ------------------------------------------------------------------

    /**
     * A 302 to {@code location} (a same-origin path or the provider's authorization URL), with an empty body.
     *
     * @param reason  the metric label ({@code gatehouse_rejections_total{reason}})
     * @param cookies {@code Set-Cookie} entries, in order
     */
    public static LocalAnswer redirect(String location, String reason, List<Map.Entry<String, String>> cookies) {
        List<Map.Entry<String, String>> h = new ArrayList<>(cookies.size() + 1);
        h.add(Map.entry(HttpHeaderNames.LOCATION.toString(), location));
        h.addAll(cookies);
        return new LocalAnswer(HttpResponseStatus.FOUND, reason, h, new Empty());
    }

    /**
     * A page with a title and paragraphs of text (escaped, whatever they hold); an error page (4xx, 5xx) also shows
     * the request id.
     */
    public static LocalAnswer page(HttpResponseStatus status, String title, String reason,
                                   List<Map.Entry<String, String>> cookies, String... paragraphs) {
        return new LocalAnswer(status, reason, List.copyOf(cookies), new Page("message.jte",
                params("title", title, "paragraphs", List.of(paragraphs)), status.code() >= 400));
    }

    /**
     * A page with a form that posts to {@code action} (a path on this site: anything else is refused) with one
     * button, below its title and paragraphs — a confirmation step.
     */
    public static LocalAnswer form(HttpResponseStatus status, String title, String action, String button, String reason,
                                   List<Map.Entry<String, String>> cookies, String... paragraphs) {
        if (!action.startsWith("/") || action.startsWith("//") || action.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("a form posts to a path on this site, not " + action);
        }
        return new LocalAnswer(status, reason, List.copyOf(cookies), new Page("form.jte", params("title", title,
                "paragraphs", List.of(paragraphs), "action", action, "button", button), false));
    }

    /**
     * A page with one link onward, below its title and paragraphs: to an {@code https} (or {@code http}) URL only —
     * a {@code javascript:} or other scheme is refused. For a step a browser must take itself (a redirect after a form's
     * POST would meet the page's own {@code form-action 'self'}).
     */
    public static LocalAnswer link(HttpResponseStatus status, String title, String href, String label, String reason,
                                   List<Map.Entry<String, String>> cookies, String... paragraphs) {
        String scheme;
        try {
            scheme = java.net.URI.create(href).getScheme();
        } catch (IllegalArgumentException e) {
            scheme = null;
        }
        if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))) {
            throw new IllegalArgumentException("a link goes to an http(s) URL, not " + href);
        }
        return new LocalAnswer(status, reason, List.copyOf(cookies), new Page("link.jte", params("title", title,
                "paragraphs", List.of(paragraphs), "href", href, "label", label), false));
    }

    /**
     * The sign-in provider chooser (200): one link per provider to {@code /.gatehouse/login}, with the organisation,
     * the provider and {@code returnTo} as query parameters (URL-encoded, then escaped for the attribute).
     */
    public static LocalAnswer chooser(String org, List<String> providers, String returnTo, String reason) {
        return new LocalAnswer(HttpResponseStatus.OK, reason, List.of(), new Page("chooser.jte",
                params("org", org, "providers", List.copyOf(providers), "returnTo", returnTo), false));
    }

    /** The gateway's JSON error: {@code {"error": message, "status": ..., "request_id": ...}}. */
    public static LocalAnswer error(HttpResponseStatus status, String message, String reason) {
        return new LocalAnswer(status, reason, List.of(), new JsonError(message, null));
    }

    /**
     * A refused request. API clients get the JSON error, naming the client IP for a network-policy denial; a
     * browser ({@code Accept: text/html}) refused by the network policy gets a page saying which IP was seen and that
     * an organisation policy blocks it — the first thing a locked-out administrator needs. Neither reveals anything
     * of the policy itself. A 401 says {@code WWW-Authenticate: Bearer}.
     *
     * @param client the resolved client, or null
     * @param accept the request's Accept header, or null
     */
    public static LocalAnswer denied(Denial denial, IpAddress client, String accept) {
        String ip = client == null ? "unknown" : client.toString();
        List<Map.Entry<String, String>> h = denial.status().code() == 401
                ? List.of(Map.entry(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer")) : List.of();
        Body body = !denial.policyDenial() ? new JsonError(denial.error(), null)
                : accept != null && accept.contains("text/html") ? new Page("blocked.jte", params("clientIp", ip), true)
                : new JsonError(denial.error(), ip);
        return new LocalAnswer(denial.status(), denial.reason(), h, body);
    }

    /**
     * A JSON document of a published standard format (the JWK Set at {@code /.gatehouse/jwks.json}), served as
     * given, 200: the one JSON body without {@code request_id}, which its readers do not expect.
     */
    public static LocalAnswer jsonDocument(String json, String reason) {
        return new LocalAnswer(HttpResponseStatus.OK, reason, List.of(), new JsonDocument(json));
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The metric label ({@code gatehouse_rejections_total{reason}}). */
    public String reason() {
        return reason;
    }

    // ---- the response -----------------------------------------------------------------------

    /** The whole response, rendered now: the only way a local answer reaches a client. */
    public FullHttpResponse response(ByteBufAllocator alloc, String requestId, boolean keepAlive) {
        HttpResponseStatus s = status;
        String type;
        byte[] bytes;
        boolean html = false;
        if (body instanceof Page page) {
            bytes = render(page, requestId);
            html = bytes != null;
            type = HTML;
            if (!html) {
                s = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                type = JSON;
                bytes = json(s, "the gateway could not render its page", null, requestId);
            }
        } else if (body instanceof JsonError e) {
            type = JSON;
            bytes = json(s, e.error(), e.clientIp(), requestId);
        } else if (body instanceof JsonDocument d) {
            type = JSON;
            bytes = d.json().getBytes(StandardCharsets.UTF_8);
        } else {
            type = TEXT;
            bytes = new byte[0];
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s,
                alloc.buffer(bytes.length).writeBytes(bytes));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, type);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        h.set(CONTENT_TYPE_OPTIONS, "nosniff");
        h.set(REQUEST_ID, requestId);
        if (html) {
            h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
            h.set(REFERRER_POLICY, "no-referrer");
        }
        for (Map.Entry<String, String> e : headers) {
            h.add(e.getKey(), e.getValue());
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    private static byte[] json(HttpResponseStatus status, String error, String clientIp, String requestId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        if (clientIp != null) {
            m.put("client_ip", clientIp);
        }
        m.put("status", status.code());
        m.put("request_id", requestId);
        return (Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The page's HTML; null (logged) if a template failed, which the tests of every template rule out. */
    private static byte[] render(Page page, String requestId) {
        Map<String, Object> params = page.params();
        if (page.namesRequest()) {
            params = new HashMap<>(params);
            params.put("requestId", requestId);
        }
        try {
            Utf8ByteOutput out = new Utf8ByteOutput(1024);
            PAGES.render(page.template(), params, out);
            return out.toByteArray();
        } catch (RuntimeException e) {
            log.error("The page {} could not be rendered", page.template(), e);
            return null;
        }
    }

    private static Map<String, Object> params(Object... namesAndValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    /**
     * jte finds precompiled templates through the thread's context class loader when it is made: this class's own,
     * whichever thread first answers.
     */
    private static TemplateEngine precompiled() {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(LocalAnswer.class.getClassLoader());
        try {
            return TemplateEngine.createPrecompiled(null, ContentType.Html, null,
                    LocalAnswer.class.getPackageName() + ".pages");
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
