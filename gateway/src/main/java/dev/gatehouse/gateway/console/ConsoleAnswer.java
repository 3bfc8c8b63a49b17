package dev.gatehouse.gateway.console;

import dev.gatehouse.core.util.Json;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A console response, rendered when made (on the console's page threads, or for the small refusals on the event loop:
 * templates are compiled classes, rendering them is memory work). HTML comes only from the templates in
 * {@code src/main/jte-console} — jte with the HTML content type, compiled at build time into
 * {@code console.pages}: every value a typed parameter escaped for where it stands, none written unescaped
 * ({@code ConsoleTemplatesTest}). JSON only through core's {@link Json}.
 *
 * <p>Every response says {@code Cache-Control: no-store}, {@code X-Content-Type-Options: nosniff}; pages add a
 * Content-Security-Policy that allows the console's own script (the live tail) and styles inline, nothing from
 * elsewhere and no framing, and {@code Referrer-Policy: no-referrer}.
 */
final class ConsoleAnswer {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self';"
            + " style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    private static final TemplateEngine PAGES = precompiled();

    final HttpResponseStatus status;
    private final String type;
    private final byte[] body;
    private final List<Map.Entry<String, String>> headers;

    private ConsoleAnswer(HttpResponseStatus status, String type, byte[] body, List<Map.Entry<String, String>> headers) {
        this.status = status;
        this.type = type;
        this.body = body;
        this.headers = headers;
    }

    /** The page {@code template} with {@code params} (name, value, name, value...). */
    static ConsoleAnswer page(HttpResponseStatus status, String template, Object... params) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            m.put((String) params[i], params[i + 1]);
        }
        Utf8ByteOutput out = new Utf8ByteOutput(4096);
        PAGES.render(template, m, out);
        return new ConsoleAnswer(status, HTML, out.toByteArray(), List.of());
    }

    /** A page of a title and paragraphs of text, with an optional link. */
    static ConsoleAnswer message(HttpResponseStatus status, String viewer, String title, String link, String linkText,
                                 String... paragraphs) {
        return page(status, "message.jte", "title", title, "viewer", viewer, "paragraphs", List.of(paragraphs),
                "link", link, "linkText", linkText);
    }

    static ConsoleAnswer json(HttpResponseStatus status, Object value) {
        return new ConsoleAnswer(status, JSON, (Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8), List.of());
    }

    static ConsoleAnswer bytes(HttpResponseStatus status, String type, byte[] body) {
        return new ConsoleAnswer(status, type, body, List.of());
    }

    /** The same answer with one more header. */
    ConsoleAnswer with(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new ConsoleAnswer(status, type, body, h);
    }

    /** The whole response; a HEAD's has the head only (its Content-Length the GET's). */
    FullHttpResponse response(ByteBufAllocator alloc, boolean head, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : alloc.buffer(body.length).writeBytes(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, type);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        h.set("X-Content-Type-Options", "nosniff");
        if (type.equals(HTML)) {
            h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
            h.set("Referrer-Policy", "no-referrer");
        }
        for (Map.Entry<String, String> e : headers) {
            h.add(e.getKey(), e.getValue());
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** The console's templates, compiled at build time; found through this class's loader whichever thread asks. */
    private static TemplateEngine precompiled() {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(ConsoleAnswer.class.getClassLoader());
        try {
            return TemplateEngine.createPrecompiled(null, ContentType.Html, null,
                    ConsoleAnswer.class.getPackageName() + ".pages");
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
